package io.streamspace.billing.invoicing;

import io.streamspace.billing.invoicing.InvoiceView.Line;
import io.streamspace.billing.invoicing.InvoiceView.WithLines;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Reads invoices and their lines for the user and admin endpoints. Writing them (generation,
 * finalization, numbering) belongs to the invoice lifecycle, not here. A draft has no stored lines
 * yet: it shows the lines it would have if it were finalized now ({@link
 * InvoiceCalculator#preview}, which claims nothing), so a user sees the invoice fill up during the
 * grace.
 */
public final class InvoiceQueries {

  private final DataSource dataSource;
  private final InvoiceCalculator calculator;

  public InvoiceQueries(DataSource dataSource, InvoiceCalculator calculator) {
    this.dataSource = dataSource;
    this.calculator = calculator;
  }

  /** The user's invoices, newest period first, {@code limit} from {@code offset}. */
  public List<InvoiceView> page(String userId, int limit, int offset) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            connection.prepareStatement(
                "SELECT "
                    + InvoiceRepository.COLUMNS
                    + " FROM billing_invoices WHERE user_id = ?"
                    + " ORDER BY period_start DESC, id DESC LIMIT ? OFFSET ?")) {
      statement.setString(1, userId);
      statement.setInt(2, limit);
      statement.setInt(3, offset);
      List<InvoiceView> invoices = new ArrayList<>();
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          invoices.add(invoice(rs));
        }
      }
      return invoices;
    }
  }

  /** The invoice of that id with its lines in order, whoever it belongs to. */
  public Optional<WithLines> find(long id) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      InvoiceView invoice;
      try (PreparedStatement statement =
          connection.prepareStatement(
              "SELECT " + InvoiceRepository.COLUMNS + " FROM billing_invoices WHERE id = ?")) {
        statement.setLong(1, id);
        try (ResultSet rs = statement.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
          invoice = invoice(rs);
        }
      }
      Currency currency = Currency.getInstance(invoice.currency());
      List<Line> lines =
          InvoiceStatus.DRAFT.value().equals(invoice.status())
              ? previewLines(id, currency)
              : lines(connection, id, currency);
      return Optional.of(new WithLines(invoice, lines));
    }
  }

  private List<Line> previewLines(long draftId, Currency currency) throws SQLException {
    List<ChargeLine> charges = calculator.preview(draftId).orElse(List.of());
    List<Line> lines = new ArrayList<>();
    for (ChargeLine charge : charges) {
      lines.add(
          new Line(
              lines.size() + 1,
              charge.kind().name().toLowerCase(Locale.ROOT),
              charge.description(),
              charge.unit() == null ? null : charge.unit().resourceType(),
              charge.quantity(),
              charge.unit() == null ? null : charge.unit().label(),
              plain(charge.unitPrice()),
              Money.shown(charge.amount(), currency),
              charge.from(),
              charge.to()));
    }
    return lines;
  }

  private static List<Line> lines(Connection connection, long invoiceId, Currency currency)
      throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            """
        SELECT line_no, kind, description, resource_type, quantity, unit, unit_price, amount,
               period_start, period_end
        FROM billing_invoice_lines WHERE invoice_id = ? ORDER BY line_no""")) {
      statement.setLong(1, invoiceId);
      List<Line> lines = new ArrayList<>();
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          lines.add(
              new Line(
                  rs.getInt("line_no"),
                  rs.getString("kind"),
                  rs.getString("description"),
                  rs.getString("resource_type"),
                  plain(rs.getBigDecimal("quantity")),
                  rs.getString("unit"),
                  plain(rs.getBigDecimal("unit_price")),
                  Money.shown(rs.getBigDecimal("amount"), currency),
                  instant(rs, "period_start"),
                  instant(rs, "period_end")));
        }
      }
      return lines;
    }
  }

  private static InvoiceView invoice(ResultSet rs) throws SQLException {
    Currency currency = Currency.getInstance(rs.getString("currency"));
    return new InvoiceView(
        rs.getLong("id"),
        rs.getString("user_id"),
        rs.getString("invoice_number"),
        instant(rs, "period_start"),
        instant(rs, "period_end"),
        rs.getString("status"),
        currency.getCurrencyCode(),
        Money.shown(rs.getBigDecimal("subtotal"), currency),
        Money.shown(rs.getBigDecimal("credits_applied"), currency),
        Money.shown(rs.getBigDecimal("total"), currency),
        instant(rs, "due_at"),
        instant(rs, "paid_at"));
  }

  /** Quantities and unit prices keep their precision, without padding zeros (0.05, not 0.0500). */
  private static BigDecimal plain(BigDecimal value) {
    return value == null ? null : value.stripTrailingZeros();
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp timestamp = rs.getTimestamp(column);
    return timestamp == null ? null : timestamp.toInstant();
  }
}
