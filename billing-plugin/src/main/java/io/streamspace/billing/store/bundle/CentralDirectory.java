package io.streamspace.billing.store.bundle;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The entry names a zip's central directory lists, in order: what {@code java.util.zip.ZipFile},
 * {@code unzip} and most tools extract by, while a streaming reader reads the local headers. A
 * crafted archive can make the two disagree (hide an entry from one of them); the inspector
 * compares them. Bounds-checked throughout: a malformed directory answers null.
 */
final class CentralDirectory {

  private static final int END_SIGNATURE = 0x06054b50;
  private static final int HEADER_SIGNATURE = 0x02014b50;
  private static final int END_SIZE = 22;
  private static final int MAX_COMMENT = 0xffff;

  private CentralDirectory() {}

  /** The names, or null if there is no readable central directory. */
  static List<String> names(byte[] zip) {
    int end = -1;
    for (int i = zip.length - END_SIZE; i >= 0 && i >= zip.length - END_SIZE - MAX_COMMENT; i--) {
      if (int32(zip, i) == END_SIGNATURE) {
        end = i;
        break;
      }
    }
    if (end < 0) {
      return null;
    }
    int count = int16(zip, end + 10);
    long offset = int32(zip, end + 16) & 0xffffffffL;
    List<String> names = new ArrayList<>();
    long at = offset;
    for (int i = 0; i < count; i++) {
      if (at < 0 || at + 46 > zip.length || int32(zip, (int) at) != HEADER_SIGNATURE) {
        return null;
      }
      int p = (int) at;
      int nameLength = int16(zip, p + 28);
      int extraLength = int16(zip, p + 30);
      int commentLength = int16(zip, p + 32);
      if (p + 46L + nameLength > zip.length) {
        return null;
      }
      names.add(new String(zip, p + 46, nameLength, StandardCharsets.UTF_8));
      at = p + 46L + nameLength + extraLength + commentLength;
    }
    return names;
  }

  private static int int16(byte[] b, int i) {
    return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
  }

  private static int int32(byte[] b, int i) {
    return int16(b, i) | int16(b, i + 2) << 16;
  }
}
