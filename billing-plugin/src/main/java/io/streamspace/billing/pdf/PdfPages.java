package io.streamspace.billing.pdf;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.pdmodel.font.PDType0Font;

/**
 * A text cursor over A4 pages with PDFBox: moves down a line at a time and starts a page when
 * full; the plugin's documents (invoices, creator statements) are written with it. Embeds DejaVu
 * Sans (a subset of the glyphs used), shipped in the plugin, so a document looks the same on every
 * machine.
 */
public final class PdfPages implements AutoCloseable {

  // Page layout in PDF points: PDFBox takes float coordinates. No amount is ever a float; amounts
  // are BigDecimal, formatted as text.
  public static final float MARGIN = 50;
  public static final float FONT_SIZE = 10;
  private static final float LEADING = 15;

  private static final byte[] REGULAR_FONT = font("DejaVuSans.ttf");
  private static final byte[] BOLD_FONT = font("DejaVuSans-Bold.ttf");

  /** A font file bundled with the plugin (copied there at build time, see the pom). */
  private static byte[] font(String file) {
    try (InputStream in =
        PdfPages.class.getResourceAsStream("/io/streamspace/billing/invoicing/fonts/" + file)) {
      if (in == null) {
        throw new IllegalStateException("the plugin is missing its font " + file);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private final PDDocument document = new PDDocument();
  private final PDFont regular;
  private final PDFont bold;
  private PDPageContentStream page;
  private PDFont font;
  private float size = FONT_SIZE;
  private float y;

  public PdfPages() throws IOException {
    // a font belongs to one document; true: embed only the glyphs the document uses
    regular = PDType0Font.load(document, new ByteArrayInputStream(REGULAR_FONT), true);
    bold = PDType0Font.load(document, new ByteArrayInputStream(BOLD_FONT), true);
    font = regular;
    newPage();
  }

  public PdfPages bold(float fontSize) {
    font = bold;
    size = fontSize;
    return this;
  }

  public PdfPages regular() {
    font = regular;
    size = FONT_SIZE;
    return this;
  }

  public PdfPages newLine() throws IOException {
    y -= Math.max(LEADING, size + 4);
    if (y < MARGIN) {
      newPage();
    }
    return this;
  }

  public PdfPages text(float x, String text) throws IOException {
    page.beginText();
    page.setFont(font, size);
    page.newLineAtOffset(x, y);
    page.showText(printable(text));
    page.endText();
    return this;
  }

  public PdfPages right(float rightX, String text) throws IOException {
    return text(rightX - width(printable(text)), text);
  }

  /** The text in lines that fit the width, broken at spaces (a longer word stays whole). */
  public List<String> wrap(String text, float width) throws IOException {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : printable(text).split(" ")) {
      String candidate = line.isEmpty() ? word : line + " " + word;
      if (!line.isEmpty() && width(candidate) > width) {
        lines.add(line.toString());
        line = new StringBuilder(word);
      } else {
        line = new StringBuilder(candidate);
      }
    }
    lines.add(line.toString());
    return lines;
  }

  public byte[] finish() throws IOException {
    page.close();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    document.save(bytes);
    return bytes.toByteArray();
  }

  @Override
  public void close() throws IOException {
    document.close();
  }

  private void newPage() throws IOException {
    if (page != null) {
      page.close();
    }
    PDPage next = new PDPage(PDRectangle.A4);
    document.addPage(next);
    page = new PDPageContentStream(document, next);
    y = next.getMediaBox().getHeight() - MARGIN;
  }

  private float width(String text) throws IOException {
    return font.getStringWidth(text) / 1000 * size;
  }

  /**
   * The text with every character the font has no glyph for (DejaVu Sans covers Latin, Greek,
   * Cyrillic and more, but not Chinese, for example) replaced by '?', rather than failing the
   * whole PDF.
   */
  private String printable(String text) {
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints()
        .forEach(
            cp -> {
              String ch = Character.toString(cp);
              out.append(encodable(ch) ? ch : "?");
            });
    return out.toString();
  }

  private boolean encodable(String ch) {
    try {
      font.encode(ch);
      return true;
    } catch (IOException | IllegalArgumentException e) {
      return false;
    }
  }
}
