package io.streamspace.billing.store.bundle;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;

/**
 * Test bundles built in memory: a good one to start from ({@link #good()}), changed one file at a
 * time, zipped with java.util.zip in the order the files were added.
 */
final class Bundles {

  static final String MANIFEST =
      """
      {"name":"Midnight","version":"1.0.0","price":{"USD":4.99,"VND":120000},
       "sale":{"kind":"one_time"},
       "colors":[{"text":"#f5f5f5","background":"#1a1a2e","large":false}],
       "stylesheet":"theme.css","preview":"preview.png"}
      """;

  static final String CSS =
      """
      /* Midnight: a dark theme */
      :root { --bg: #1a1a2e; --fg: #f5f5f5; --accent: #e94560; }
      @font-face { font-family: "Inter"; src: url("fonts/inter.woff2") format("woff2"); }
      body { background: var(--bg); color: var(--fg); font-family: "Inter", sans-serif; }
      a:hover { color: var(--accent); text-decoration: underline; }
      :focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
      button[aria-pressed="true"] { background-color: var(--accent); font-weight: 700; }
      .logo { background-image: url(icon.svg); }
      @media (prefers-reduced-motion: reduce) { * { transition: none !important; } }
      """;

  static final String SVG =
      """
      <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">
        <defs><linearGradient id="g"><stop offset="0" stop-color="#e94560"/></linearGradient></defs>
        <path fill="url(#g)" d="M0 0h24v24H0z"/>
      </svg>
      """;

  private final Map<String, byte[]> files = new LinkedHashMap<>();
  private int method = ZipEntry.DEFLATED;

  static Bundles good() {
    return new Bundles()
        .with("manifest.json", MANIFEST)
        .with("theme.css", CSS)
        .with("preview.png", png(640, 400))
        .with("icon.svg", SVG)
        .with("fonts/inter.woff2", font("wOF2", 2000));
  }

  static Bundles empty() {
    return new Bundles();
  }

  Bundles with(String name, String text) {
    return with(name, text.getBytes(StandardCharsets.UTF_8));
  }

  Bundles with(String name, byte[] bytes) {
    files.put(name, bytes);
    return this;
  }

  Bundles without(String name) {
    files.remove(name);
    return this;
  }

  /** Entries stored uncompressed: their compressed size is their size. */
  Bundles stored() {
    method = ZipEntry.STORED;
    return this;
  }

  /** The manifest with one text replaced. */
  Bundles manifest(String from, String to) {
    String manifest = new String(files.get("manifest.json"), StandardCharsets.UTF_8);
    if (!manifest.contains(from)) {
      throw new IllegalArgumentException("the manifest has no " + from);
    }
    return with("manifest.json", manifest.replace(from, to));
  }

  /** The stylesheet with more CSS at its end. */
  Bundles css(String more) {
    return with("theme.css", CSS + more);
  }

  byte[] zip() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        ZipEntry entry = new ZipEntry(file.getKey());
        entry.setMethod(method);
        if (method == ZipEntry.STORED) {
          java.util.zip.CRC32 crc = new java.util.zip.CRC32();
          crc.update(file.getValue());
          entry.setSize(file.getValue().length);
          entry.setCompressedSize(file.getValue().length);
          entry.setCrc(crc.getValue());
        }
        zip.putNextEntry(entry);
        zip.write(file.getValue());
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static byte[] png(int width, int height) {
    return image("png", width, height);
  }

  static byte[] jpeg(int width, int height) {
    return image("jpeg", width, height);
  }

  private static byte[] image(String format, int width, int height) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB), format, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** A lossless WebP's first bytes: RIFF, WEBP, a VP8L chunk with its 14-bit sizes. */
  static byte[] webp(int width, int height) {
    byte[] b = new byte[40];
    put(b, 0, "RIFF");
    put(b, 8, "WEBPVP8L");
    b[20] = 0x2f;
    int bits = (width - 1) | (height - 1) << 14;
    for (int i = 0; i < 4; i++) {
      b[21 + i] = (byte) (bits >>> (8 * i));
    }
    return b;
  }

  /** A font file: the format's signature, then incompressible bytes. */
  static byte[] font(String signature, int size) {
    byte[] b = noise(size, signature.hashCode());
    put(b, 0, signature);
    return b;
  }

  /** Bytes that do not compress (a fixed seed: the same bytes every run). */
  static byte[] noise(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static void put(byte[] b, int at, String ascii) {
    byte[] text = ascii.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(text, 0, b, at, text.length);
  }
}
