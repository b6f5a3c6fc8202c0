package io.streamspace.billing.reports;

import com.fasterxml.jackson.core.JsonGenerator;
import io.streamspace.billing.json.JsonMapper;
import io.streamspace.billing.rating.UsageLine;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * How a usage report is written: CSV (RFC 4180, through Apache Commons CSV) or JSON (one object
 * with a {@code rows} array, and {@code next_after} when it is a page), both a row at a time as
 * the rows are read, never held whole.
 * Both have the same columns: the group's ({@link ReportGrouping#column}), {@code member_id} when
 * grouped by member (empty, or null, for the organization's part), then {@code currency,
 * resource_type, unit, unit_price, quantity, cost, activity, saved}: the last two only of a row
 * of idle, disconnected or hibernated time ({@link UsageLine}), empty (absent in JSON) on others.
 */
public enum ReportFormat {
  CSV("text/csv; charset=utf-8") {
    @Override
    public RowWriter open(
        OutputStream out, ReportGrouping grouping, Instant from, Instant to, ReportPage page)
        throws IOException {
      CSVPrinter printer = csvPrinter(out, columns(grouping));
      return new RowWriter() {
        @Override
        public void write(ReportRow row) throws IOException {
          List<Object> values = new ArrayList<>();
          grouping.column().ifPresent(c -> values.add(inert(row.group())));
          if (grouping.byMember()) {
            values.add(inert(row.member()));
          }
          UsageLine line = row.line();
          values.addAll(
              List.of(
                  inert(row.currency()),
                  inert(line.resourceType()),
                  inert(line.unit()),
                  line.unitPrice().toPlainString(),
                  line.quantity().toPlainString(),
                  line.totalCost().toPlainString(),
                  line.activity() == null ? "" : inert(line.activity()),
                  line.saved() == null ? "" : line.saved().toPlainString()));
          printer.printRecord(values);
        }

        @Override
        public void close() throws IOException {
          printer.close(true); // flushes; the host closes the stream
        }
      };
    }
  },
  JSON("application/json") {
    @Override
    public RowWriter open(
        OutputStream out, ReportGrouping grouping, Instant from, Instant to, ReportPage page)
        throws IOException {
      JsonGenerator json = JsonMapper.streaming(out);
      json.writeStartObject();
      json.writeStringField("from", from.toString());
      json.writeStringField("to", to.toString());
      json.writeStringField("group_by", grouping.parameterValue());
      if (page != null) {
        json.writeStringField(NEXT_AFTER, page.nextAfter()); // null on the last page
      }
      json.writeArrayFieldStart("rows");
      return new RowWriter() {
        @Override
        public void write(ReportRow row) throws IOException {
          UsageLine line = row.line();
          json.writeStartObject();
          Optional<String> column = grouping.column();
          if (column.isPresent()) {
            json.writeStringField(column.get(), row.group());
          }
          if (grouping.byMember()) {
            json.writeStringField(MEMBER_COLUMN, row.member());
          }
          json.writeStringField("currency", row.currency());
          json.writeStringField("resource_type", line.resourceType());
          json.writeStringField("unit", line.unit());
          number(json, "unit_price", line.unitPrice());
          number(json, "quantity", line.quantity());
          number(json, "cost", line.totalCost());
          if (line.activity() != null) { // time at an activity factor, or hibernated
            json.writeStringField("activity", line.activity());
            number(json, "saved", line.saved());
          }
          json.writeEndObject();
        }

        @Override
        public void close() throws IOException {
          json.writeEndArray();
          json.writeEndObject();
          json.close(); // flushes; the host closes the stream
        }
      };
    }
  };

  /** Where the next page of accounts starts: after this id (JSON; CSV has it in a header). */
  public static final String NEXT_AFTER = "next_after";

  /** The column of a row's member, grouped by member: after the group's. */
  static final String MEMBER_COLUMN = "member_id";

  // what a spreadsheet opening the CSV would take for the start of a formula: the ASCII signs,
  // their full-width forms (＝＋－＠, which Excel and LibreOffice read as the ASCII ones in some
  // input modes and locales) and their small forms (﹦﹢﹣﹫), | (DDE: a cell |cmd...), and ;
  // with its full-width and small forms (；﹔: where ; is the list separator, a cell ;=cmd...
  // may be split into a formula of its own)
  private static final String FORMULA_STARTS =
      "=+-@|;" + "\uFF1D\uFF0B\uFF0D\uFF20\uFF1B" + "\uFE66\uFE62\uFE63\uFE6B\uFE54";

  /**
   * A text cell a spreadsheet shows as text: one starting like a formula ({@code =HYPERLINK(...)}
   * in a user or plan id, from the platform) gets a leading apostrophe, as OWASP advises against
   * CSV injection. Every CSV the plugin writes (reports, invoices, what-if, audit, leads,
   * explanations, statements) passes its text cells through here. Starting like a formula: a
   * formula sign or a semicolon ({@link #FORMULA_STARTS}), or any
   * character a spreadsheet may skip or trim before reading one: whitespace of any kind (a
   * space, a tab, a no-break space), a control character (a carriage return, a line feed) or an
   * invisible format character (a zero-width space or joiner, a byte order mark). So {@code
   * " =1+1"} and {@code "\u200B=1+1"} are escaped as {@code "=1+1"} is; an id never starts so
   * for a good reason. The figures are plain decimals and are written as they are.
   */
  public static String inert(String text) {
    return text != null && !text.isEmpty() && startsLikeAFormula(text.codePointAt(0))
        ? "'" + text
        : text;
  }

  /**
   * An RFC 4180 printer of UTF-8 rows onto {@code out}, its header written first. Closing it
   * flushes (with {@code close(true)}); the host closes the stream.
   */
  public static CSVPrinter csvPrinter(OutputStream out, List<String> header) throws IOException {
    return new CSVPrinter(
        new OutputStreamWriter(out, StandardCharsets.UTF_8),
        CSVFormat.RFC4180.builder().setHeader(header.toArray(String[]::new)).get());
  }

  private static boolean startsLikeAFormula(int first) {
    return FORMULA_STARTS.indexOf(first) >= 0
        || Character.isWhitespace(first)
        || Character.isSpaceChar(first)
        || Character.getType(first) == Character.CONTROL
        || Character.getType(first) == Character.FORMAT;
  }

  /** Writes rows as they come; {@link #close} ends the document. */
  public interface RowWriter {
    void write(ReportRow row) throws IOException;

    void close() throws IOException;
  }

  private final String contentType;

  ReportFormat(String contentType) {
    this.contentType = contentType;
  }

  /**
   * A writer of a report's rows onto {@code out}, the document begun.
   *
   * @param page the page of accounts the rows are of; null for a whole report
   */
  public abstract RowWriter open(
      OutputStream out, ReportGrouping grouping, Instant from, Instant to, ReportPage page)
      throws IOException;

  /** The format named by a {@code format} value ({@code json}, {@code csv}), if any. */
  public static Optional<ReportFormat> named(String name) {
    return Arrays.stream(values())
        .filter(f -> f.name().toLowerCase(Locale.ROOT).equals(name))
        .findFirst();
  }

  public String contentType() {
    return contentType;
  }

  /** The columns of a report grouped so, in order. */
  public static List<String> columns(ReportGrouping grouping) {
    List<String> columns = new ArrayList<>();
    grouping.column().ifPresent(columns::add);
    if (grouping.byMember()) {
      columns.add(MEMBER_COLUMN);
    }
    columns.addAll(
        List.of(
            "currency",
            "resource_type",
            "unit",
            "unit_price",
            "quantity",
            "cost",
            "activity",
            "saved"));
    return columns;
  }

  private static void number(JsonGenerator json, String name, BigDecimal value) throws IOException {
    json.writeFieldName(name);
    json.writeNumber(value);
  }
}
