package io.streamspace.host.deploy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The entries of a tar archive (ustar, as Jib writes them), read without a library: names and
 * contents, PAX extended headers skipped. Small enough for the image's config and layer lists.
 */
final class ImageTar {

  private static final int BLOCK = 512;

  /** Contents larger than this are skipped, not kept (a layer is kept: it is read next). */
  private static final long KEPT = 128L << 20;

  /** One entry; {@code content} is empty for folders and for files over {@link #KEPT}. */
  record Entry(String name, int mode, long size, byte[] content) {}

  private ImageTar() {}

  /** Every entry by name, in the archive's order. */
  static Map<String, Entry> entries(InputStream tar) throws IOException {
    Map<String, Entry> entries = new LinkedHashMap<>();
    byte[] header = new byte[BLOCK];
    while (tar.readNBytes(header, 0, BLOCK) == BLOCK && header[0] != 0) {
      String name = text(header, 0, 100);
      String prefix = text(header, 345, 155);
      long size = Long.parseLong(text(header, 124, 12).trim(), 8);
      int mode = Integer.parseInt(text(header, 100, 8).trim(), 8);
      char type = (char) header[156];
      byte[] content = new byte[0];
      if (size <= KEPT) {
        content = tar.readNBytes((int) size);
      } else {
        tar.skipNBytes(size);
      }
      tar.skipNBytes((BLOCK - size % BLOCK) % BLOCK);
      if (type != 'x' && type != 'g') {
        String path = prefix.isEmpty() ? name : prefix + "/" + name;
        entries.put(path, new Entry(path, mode, size, content));
      }
    }
    return entries;
  }

  /** The entries of a gzipped tar held in memory (an image layer). */
  static Map<String, Entry> gzipped(byte[] layer) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(layer))) {
      return entries(in);
    }
  }

  private static String text(byte[] header, int offset, int length) {
    int end = offset;
    while (end < offset + length && header[end] != 0) {
      end++;
    }
    return new String(header, offset, end - offset, StandardCharsets.UTF_8);
  }
}
