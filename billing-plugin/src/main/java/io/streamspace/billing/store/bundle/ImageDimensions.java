package io.streamspace.billing.store.bundle;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * The width and height a raster image declares in its header, read without decoding its pixels:
 * PNG and JPEG through an {@link ImageReader} (header only), WebP from its {@code VP8 }, {@code
 * VP8L} or {@code VP8X} chunk. SVG's size is {@link SvgInspector}'s.
 */
final class ImageDimensions {

  /** A width and height in pixels. */
  record Size(int width, int height) {}

  private ImageDimensions() {}

  /** The size, or null if the header cannot be read. */
  static Size of(FileTypes type, byte[] bytes) {
    return switch (type) {
      case PNG -> imageIo("png", bytes);
      case JPEG -> imageIo("jpeg", bytes);
      case WEBP -> webp(bytes);
      default -> null;
    };
  }

  private static Size imageIo(String format, byte[] bytes) {
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
    if (!readers.hasNext()) {
      return null;
    }
    ImageReader reader = readers.next();
    // a memory cache, not ImageIO's default temp file: nothing of the upload touches the disk
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      reader.setInput(in, true, true);
      return new Size(reader.getWidth(0), reader.getHeight(0));
    } catch (IOException | RuntimeException e) {
      return null;
    } finally {
      reader.dispose();
    }
  }

  /** RIFF....WEBP, then the first chunk at 12: its fourcc and, from 20, its header. */
  private static Size webp(byte[] b) {
    if (b.length < 30) {
      return null;
    }
    String chunk = new String(b, 12, 4, java.nio.charset.StandardCharsets.US_ASCII);
    switch (chunk) {
      case "VP8X":
        // canvas width-1 and height-1, 24-bit little endian, at 24 and 27
        return new Size(1 + int24(b, 24), 1 + int24(b, 27));
      case "VP8L":
        if ((b[20] & 0xff) != 0x2f) {
          return null;
        }
        // 14 bits width-1 then 14 bits height-1, little endian from 21
        int bits =
            (b[21] & 0xff) | (b[22] & 0xff) << 8 | (b[23] & 0xff) << 16 | (b[24] & 0xff) << 24;
        return new Size(1 + (bits & 0x3fff), 1 + ((bits >>> 14) & 0x3fff));
      case "VP8 ":
        // a key frame: 3 bytes of frame tag, the start code 9d 01 2a, then 14-bit sizes
        if ((b[23] & 0xff) != 0x9d || (b[24] & 0xff) != 0x01 || (b[25] & 0xff) != 0x2a) {
          return null;
        }
        return new Size(int16(b, 26) & 0x3fff, int16(b, 28) & 0x3fff);
      default:
        return null;
    }
  }

  private static int int16(byte[] b, int i) {
    return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
  }

  private static int int24(byte[] b, int i) {
    return int16(b, i) | (b[i + 2] & 0xff) << 16;
  }
}
