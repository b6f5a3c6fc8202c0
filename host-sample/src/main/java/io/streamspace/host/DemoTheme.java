package io.streamspace.host;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The theme bundle {@code --demo}'s creator submits to the store: Midnight 1.0.0, light text on
 * a dark blue, sold once for 4.99 USD or 120,000 VND, with an SVG preview, made to pass every
 * check of the store's inspector (docs/store-bundles.md): its one colour pair at 15:1, a visible
 * focus indicator, a hover that is not colour alone, nothing loaded from elsewhere.
 */
final class DemoTheme {

  static final String NAME = "Midnight";
  static final String VERSION = "1.0.0";

  private static final String MANIFEST =
      """
      {"name": "%s", "version": "%s", "price": {"USD": 4.99, "VND": 120000},
       "sale": {"kind": "one_time"},
       "colors": [{"text": "#f5f5f5", "background": "#1a1a2e", "large": false}],
       "preview": "preview.svg", "stylesheet": "theme.css"}"""
          .formatted(NAME, VERSION);

  private static final String STYLESHEET =
      """
      :root { --bg: #1a1a2e; --text: #f5f5f5; }
      body { background: var(--bg); color: var(--text); }
      a:focus-visible, button:focus-visible { outline: 2px solid #f5f5f5; outline-offset: 2px; }
      a:hover { color: #ffffff; text-decoration: underline; }
      """;

  private static final String PREVIEW =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"240\" height=\"120\">"
          + "<rect width=\"240\" height=\"120\" fill=\"#1a1a2e\"/>"
          + "<text x=\"20\" y=\"70\" font-size=\"28\" fill=\"#f5f5f5\">Midnight</text></svg>";

  private DemoTheme() {}

  /** The bundle, a zip with {@code manifest.json} at its root. */
  static byte[] bundle() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, String> file :
          List.of(
              Map.entry("manifest.json", MANIFEST),
              Map.entry("theme.css", STYLESHEET),
              Map.entry("preview.svg", PREVIEW))) {
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
