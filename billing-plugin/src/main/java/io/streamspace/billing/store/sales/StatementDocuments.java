package io.streamspace.billing.store.sales;

import io.streamspace.billing.catalog.share.Tier;
import io.streamspace.billing.pdf.PdfPages;
import io.streamspace.billing.reports.ReportFormat;
import io.streamspace.billing.store.share.CreatorStatement;
import io.streamspace.billing.store.share.StatementLine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVPrinter;

/**
 * A creator's statements of a month as files: CSV (RFC 4180) and PDF (A4). Both show each
 * currency's lines, then its figures; times in the billing zone.
 *
 * <p>The CSV has one row per line ({@code kind} sale, refund, chargeback, payout or adjustment)
 * and, per currency, rows for its figures, each named by {@code kind}: {@code opening_balance}
 * first, then {@code sales_gross}, {@code refunds_gross}, {@code platform_share}, {@code
 * creator_share}, {@code closing_balance}, {@code payout}, {@code carried_forward}, the amount in
 * the {@code amount} column, and {@code tier_reached} with its tier.
 */
public final class StatementDocuments {

  public static final List<String> CSV_COLUMNS =
      List.of(
          "currency",
          "kind",
          "reference",
          "at",
          "gross",
          "platform_share",
          "creator_share",
          "tier",
          "amount");

  private static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");
  private static final float MARGIN = PdfPages.MARGIN;
  private static final float FONT_SIZE = PdfPages.FONT_SIZE;
  private static final float KIND_X = MARGIN;
  private static final float AT_X = 120;
  private static final float GROSS_RIGHT = 300;
  private static final float PLATFORM_RIGHT = 380;
  private static final float CREATOR_RIGHT = 460;
  private static final float TIER_X = 470;
  private static final float LABEL_RIGHT = 400;
  private static final float AMOUNT_RIGHT = 545;

  private StatementDocuments() {}

  /** The CSV's bytes (UTF-8), header first. */
  public static byte[] csv(List<CreatorStatement> statements) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (CSVPrinter printer = ReportFormat.csvPrinter(out, CSV_COLUMNS)) {
      for (CreatorStatement statement : statements) {
        String currency = statement.currency().getCurrencyCode();
        printer.printRecord(figure(currency, "opening_balance", statement.openingBalance()));
        for (StatementLine line : statement.lines()) {
          printer.printRecord(
              currency,
              line.kind(),
              ReportFormat.inert(line.reference()),
              line.at().toString(),
              line.gross().toPlainString(),
              line.platformShare().toPlainString(),
              line.creatorShare().toPlainString(),
              line.tier().map(Tier::label).orElse(""),
              "");
        }
        for (Figure f : figures(statement)) {
          printer.printRecord(figure(currency, f.name, f.amount));
        }
        printer.printRecord(
            currency, "tier_reached", "", "", "", "", "", statement.tierReached(), "");
      }
      printer.close(true);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in memory
    }
    return out.toByteArray();
  }

  /** The PDF's bytes: the creator, the month, then each currency's lines and figures. */
  public static byte[] pdf(
      String creatorId, YearMonth month, List<CreatorStatement> statements, ZoneId zone) {
    try (PdfPages out = new PdfPages()) {
      out.bold(18).text(MARGIN, "Creator statement " + month);
      out.newLine().newLine();
      out.regular().text(MARGIN, "Creator: " + creatorId);
      out.newLine().text(MARGIN, "Times in " + zone.getId());
      if (statements.isEmpty()) {
        out.newLine().newLine().text(MARGIN, "No sales, refunds or balance this month.");
      }
      for (CreatorStatement statement : statements) {
        String currency = statement.currency().getCurrencyCode();
        out.newLine().newLine().bold(14).text(MARGIN, currency);
        out.newLine()
            .bold(FONT_SIZE)
            .text(KIND_X, "Line")
            .text(AT_X, "At")
            .right(GROSS_RIGHT, "Gross")
            .right(PLATFORM_RIGHT, "Platform")
            .right(CREATOR_RIGHT, "Creator")
            .text(TIER_X, "Tier");
        out.regular();
        for (StatementLine line : statement.lines()) {
          out.newLine()
              .text(KIND_X, line.kind())
              .text(AT_X, DATE_TIME.format(line.at().atZone(zone)))
              .right(GROSS_RIGHT, line.gross().toPlainString())
              .right(PLATFORM_RIGHT, line.platformShare().toPlainString())
              .right(CREATOR_RIGHT, line.creatorShare().toPlainString())
              .text(TIER_X, line.tier().map(Tier::label).orElse(""));
        }
        out.newLine();
        out.newLine()
            .right(LABEL_RIGHT, "Opening balance")
            .right(AMOUNT_RIGHT, statement.openingBalance().toPlainString() + " " + currency);
        for (Figure f : figures(statement)) {
          out.newLine()
              .right(LABEL_RIGHT, f.label)
              .right(AMOUNT_RIGHT, f.amount.toPlainString() + " " + currency);
        }
        out.newLine()
            .right(LABEL_RIGHT, "Tier reached")
            .right(AMOUNT_RIGHT, statement.tierReached().isEmpty() ? "-" : statement.tierReached());
      }
      return out.finish();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in memory
    }
  }

  /** A figure of a statement: its CSV kind, its PDF label, its amount. */
  private record Figure(String name, String label, BigDecimal amount) {}

  private static List<Figure> figures(CreatorStatement s) {
    List<Figure> figures = new ArrayList<>();
    figures.add(new Figure("sales_gross", "Sales", s.salesGross()));
    figures.add(new Figure("refunds_gross", "Refunds and chargebacks", s.refundsGross()));
    figures.add(new Figure("platform_share", "Platform share", s.platformShare()));
    figures.add(new Figure("creator_share", "Creator share", s.creatorShare()));
    figures.add(new Figure("closing_balance", "Closing balance", s.closingBalance()));
    figures.add(new Figure("payout", "Payout", s.payout()));
    figures.add(new Figure("carried_forward", "Carried forward", s.carriedForward()));
    return figures;
  }

  private static List<Object> figure(String currency, String name, BigDecimal amount) {
    return List.of(currency, name, "", "", "", "", "", "", amount.toPlainString());
  }
}
