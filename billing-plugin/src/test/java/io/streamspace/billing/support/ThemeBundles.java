package io.streamspace.billing.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Theme bundles for the store's tests: a good one, and one changed to break rules. */
public final class ThemeBundles {

  /** Custom properties, a visible focus indicator, a hover that is not colour alone. */
  public static final String GOOD_CSS =
      """
      :root { --bg: #1a1a2e; --text: #f5f5f5; }
      body { background: var(--bg); color: var(--text); }
      a:focus-visible, button:focus-visible { outline: 2px solid #f5f5f5; outline-offset: 2px; }
      a:hover { color: #ffffff; text-decoration: underline; }
      """;

  private ThemeBundles() {}

  public static String manifest(
      String name, String version, String price, String sale, String colors) {
    return """
        {"name": "%s", "version": "%s", "price": %s, "sale": %s, "colors": %s,
         "stylesheet": "theme.css"}"""
        .formatted(name, version, price, sale, colors);
  }

  /** A bundle that passes every rule: a one-time sale at 4.99 USD or 120,000 VND. */
  public static byte[] good(String name, String version) {
    return zip(
        Map.of(
            "manifest.json",
            manifest(
                name,
                version,
                "{\"USD\": 4.99, \"VND\": 120000}",
                "{\"kind\": \"one_time\"}",
                "[{\"text\": \"#f5f5f5\", \"background\": \"#1a1a2e\", \"large\": false}]"),
            "theme.css",
            GOOD_CSS));
  }

  /** A bundle that passes every rule, sold for {@code days} of access at {@code price}. */
  public static byte[] timeLimited(String name, String version, int days, String price) {
    return zip(
        Map.of(
            "manifest.json",
            manifest(
                name,
                version,
                price,
                "{\"kind\": \"time_limited\", \"days\": " + days + "}",
                "[{\"text\": \"#f5f5f5\", \"background\": \"#1a1a2e\", \"large\": false}]"),
            "theme.css",
            GOOD_CSS));
  }

  /** A small SVG preview: the theme's text colour on its background. */
  public static final String PREVIEW_SVG =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"120\" height=\"60\">"
          + "<rect width=\"120\" height=\"60\" fill=\"#1a1a2e\"/>"
          + "<text x=\"10\" y=\"36\" fill=\"#f5f5f5\">Aa</text></svg>";

  /** As {@link #good}, with {@link #PREVIEW_SVG} as its manifest's {@code preview}. */
  public static byte[] goodWithPreview(String name, String version) {
    String manifest =
        manifest(
                name,
                version,
                "{\"USD\": 4.99, \"VND\": 120000}",
                "{\"kind\": \"one_time\"}",
                "[{\"text\": \"#f5f5f5\", \"background\": \"#1a1a2e\", \"large\": false}]")
            .replace("\"stylesheet\"", "\"preview\": \"preview.svg\", \"stylesheet\"");
    return zip(
        Map.of("manifest.json", manifest, "theme.css", GOOD_CSS, "preview.svg", PREVIEW_SVG));
  }

  /**
   * A bundle breaking two rules: a text colour on white at 4.47:1 (4.478, rounded down) ({@code contrast}) and a font
   * loaded from another site ({@code external_url}).
   */
  public static byte[] breakingTwoRules() {
    return zip(
        Map.of(
            "manifest.json",
            manifest(
                "Greyish",
                "1.0.0",
                "{\"USD\": 2.00}",
                "{\"kind\": \"one_time\"}",
                "[{\"text\": \"#777777\", \"background\": \"#ffffff\", \"large\": false}]"),
            "theme.css",
            GOOD_CSS + "@import url(\"https://fonts.example.com/font.css\");\n"));
  }

  public static byte[] zip(Map<String, String> files) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, String> file : new LinkedHashMap<>(files).entrySet()) {
        zip.putNextEntry(new ZipEntry(file.getKey()));
        zip.write(file.getValue().getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
