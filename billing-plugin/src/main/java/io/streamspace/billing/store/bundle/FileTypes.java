package io.streamspace.billing.store.bundle;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The file types a bundle may hold, each known by its extension <em>and</em> its first bytes:
 * {@code manifest.json} (at the root only), {@code .css}, {@code .svg} (UTF-8 text), {@code .png},
 * {@code .jpg}/{@code .jpeg}, {@code .webp}, {@code .woff}, {@code .woff2}. Anything else is
 * refused, and so is a file whose bytes are another type than its name says.
 */
enum FileTypes {
  MANIFEST("the manifest"),
  CSS("a stylesheet"),
  SVG("an SVG image"),
  PNG("a PNG image"),
  JPEG("a JPEG image"),
  WEBP("a WebP image"),
  WOFF("a WOFF font"),
  WOFF2("a WOFF2 font");

  static final String MANIFEST_PATH = "manifest.json";

  private final String description;

  FileTypes(String description) {
    this.description = description;
  }

  /** The type the path's name claims, or null if it is not an allowed one. */
  static FileTypes byName(String path) {
    if (path.equals(MANIFEST_PATH)) {
      return MANIFEST;
    }
    return switch (ZipPaths.extension(path)) {
      case "css" -> CSS;
      case "svg" -> SVG;
      case "png" -> PNG;
      case "jpg", "jpeg" -> JPEG;
      case "webp" -> WEBP;
      case "woff" -> WOFF;
      case "woff2" -> WOFF2;
      default -> null;
    };
  }

  boolean isFont() {
    return this == WOFF || this == WOFF2;
  }

  boolean isImage() {
    return this == SVG || this == PNG || this == JPEG || this == WEBP;
  }

  /** The byte budget of one file of that name (the largest budget for an unknown type). */
  static long budget(String path, BundleLimits limits) {
    FileTypes type = byName(path);
    if (type == null) {
      return limits.maxAnyFileBytes();
    }
    return switch (type) {
      case MANIFEST -> limits.maxManifestBytes();
      case CSS -> limits.maxStylesheetBytes();
      case SVG -> limits.maxSvgBytes();
      case PNG, JPEG, WEBP -> limits.maxImageBytes();
      case WOFF, WOFF2 -> limits.maxFontBytes();
    };
  }

  /** What the file is, for a sentence ("a stylesheet"). */
  static String describe(String path) {
    FileTypes type = byName(path);
    return type == null ? "a file of that type" : type.description;
  }

  /** Whether the bytes are what this type's files begin with (text types: UTF-8 text). */
  boolean matches(byte[] bytes) {
    return switch (this) {
      case MANIFEST, CSS, SVG -> isUtf8Text(bytes);
      case PNG -> startsWith(bytes, 0, 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a);
      case JPEG -> startsWith(bytes, 0, 0xff, 0xd8, 0xff);
      case WEBP ->
          startsWith(bytes, 0, 'R', 'I', 'F', 'F') && startsWith(bytes, 8, 'W', 'E', 'B', 'P');
      case WOFF -> startsWith(bytes, 0, 'w', 'O', 'F', 'F');
      case WOFF2 -> startsWith(bytes, 0, 'w', 'O', 'F', '2');
    };
  }

  /** UTF-8 that decodes strictly, with no NUL (a binary file renamed .css fails here). */
  static boolean isUtf8Text(byte[] bytes) {
    for (byte b : bytes) {
      if (b == 0) {
        return false;
      }
    }
    return decode(bytes) != null;
  }

  /** The bytes as strict UTF-8 (a leading byte-order mark dropped), or null if they are not. */
  static String decode(byte[] bytes) {
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
      return text.startsWith("\uFEFF") ? text.substring(1) : text;
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static boolean startsWith(byte[] bytes, int offset, int... expected) {
    if (bytes.length < offset + expected.length) {
      return false;
    }
    for (int i = 0; i < expected.length; i++) {
      if ((bytes[offset + i] & 0xff) != expected[i]) {
        return false;
      }
    }
    return true;
  }
}
