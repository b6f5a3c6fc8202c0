package io.streamspace.billing.invoicing;

import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.invoicing.InvoiceCalculator.Billed;
import io.streamspace.billing.invoicing.InvoiceView.Line;
import io.streamspace.billing.invoicing.InvoiceView.LinePart;
import io.streamspace.billing.invoicing.InvoiceView.MemberAmount;
import io.streamspace.billing.invoicing.InvoiceView.WithLines;
import io.streamspace.billing.invoicing.MemberShares.Share;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.rating.MemberUsageRepository;
import io.streamspace.billing.tax.TaxLine;
import io.streamspace.common.db.Sql;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * Reads invoices and their lines for the user and admin endpoints. Writing them (generation,
 * finalization, numbering) belongs to the invoice lifecycle, not here. A draft has no stored lines
 * yet: it shows the lines it would have if it were finalized now ({@link
 * InvoiceCalculator#preview}, which claims nothing), so a user sees the invoice fill up during the
 * grace.
 */
public final class InvoiceQueries {

  private static final NamedSql PAGE =
      NamedSql.of(
          """
          SELECT %s FROM billing_invoices WHERE user_id = :user_id
          ORDER BY period_start DESC, id DESC LIMIT :limit OFFSET :offset"""
              .formatted(InvoiceRepository.COLUMNS));

  private static final NamedSql LINES =
      NamedSql.of(
          """
          SELECT line_no, kind, description, resource_type, quantity, unit, unit_price, amount,
                 period_start, period_end, activity, saved, discounts_line
          FROM billing_invoice_lines WHERE invoice_id = :invoice_id ORDER BY line_no""");

  // per range of :bounds (k, 1-based) the invoice's period starts in; read from the index on
  // (user_id, period_start)
  private static final NamedSql INVOICED =
      NamedSql.of(
          """
          SELECT width_bucket(period_start, :bounds::timestamptz[]) AS k,
                 sum(greatest(total - credited, 0))
          FROM billing_invoices
          WHERE user_id = :user_id AND status IN ('sent', 'paid', 'overdue')
            AND period_start >= :from AND period_start < :to
          GROUP BY k""");

  private static final NamedSql TAXES =
      NamedSql.of(
          """
          SELECT invoice_id, status, tax, tax_behavior, reason FROM billing_invoice_taxes
          WHERE invoice_id = ANY(:id::text[]::bigint[])""");

  private static final NamedSql TAX_LINES =
      NamedSql.of(
          """
          SELECT line_no, amount, taxable_amount, percentage, country, state, jurisdiction, level,
                 tax_type, taxability_reason, reverse_charge
          FROM billing_invoice_tax_lines WHERE invoice_id = :invoice_id ORDER BY n""");

  private final DataSource dataSource;
  private final InvoiceCalculator calculator;

  public InvoiceQueries(DataSource dataSource, InvoiceCalculator calculator) {
    this.dataSource = dataSource;
    this.calculator = calculator;
  }

  /** The user's invoices, newest period first, {@code limit} from {@code offset}. */
  public List<InvoiceView> page(String orgId, int limit, int offset) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            PAGE.bind("user_id", orgId)
                .bind("limit", limit)
                .bind("offset", offset)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      List<Invoice> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(InvoiceRepository.read(rs));
      }
      Instant closedAt = AccountRepository.closedAt(connection, orgId);
      Map<Long, InvoiceView.StoredTax> taxes =
          taxes(connection, rows.stream().map(Invoice::id).toList());
      List<InvoiceView> invoices = new ArrayList<>();
      for (Invoice row : rows) {
        invoices.add(InvoiceView.of(row, closedAt, taxes.get(row.id())));
      }
      return invoices;
    }
  }

  /**
   * For each range between consecutive {@code bounds} (ascending, billing period starts say),
   * the Σ total of the user's finalized invoices (sent, paid or overdue: not drafts, not void)
   * whose period starts in it, net of their credit notes (each at least 0: what notes give back
   * beyond what an invoice charged was paid by credits or the balance); null for a range without
   * any. In one statement.
   */
  public List<BigDecimal> invoicedPerRange(String orgId, List<Instant> bounds) throws SQLException {
    List<BigDecimal> totals = new ArrayList<>(Collections.nCopies(bounds.size() - 1, null));
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            SqlArrays.ranges(INVOICED.bind("user_id", orgId), connection, bounds)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        totals.set(rs.getInt(1) - 1, rs.getBigDecimal(2));
      }
    }
    return totals;
  }

  /** The invoice of that id with its lines in order, whoever it belongs to. */
  public Optional<WithLines> find(long id) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      Optional<Invoice> found = InvoiceRepository.find(connection, id, false);
      if (found.isEmpty()) {
        return Optional.empty();
      }
      Invoice invoice = found.get();
      Currency currency = invoice.currency();
      boolean team = MemberUsageRepository.isTeam(connection, invoice.orgId());
      InvoiceView view =
          InvoiceView.of(
              invoice,
              AccountRepository.closedAt(connection, invoice.orgId()),
              taxes(connection, List.of(id)).get(id));
      List<TaxLine> taxLines =
          InvoiceView.TAX_CALCULATED.equals(view.taxStatus())
              ? taxLines(connection, id, currency)
              : List.of();
      if (invoice.status() == InvoiceStatus.DRAFT) {
        Optional<Billed> preview = calculator.previewBilled(id, team);
        List<Line> lines = previewLines(preview, currency);
        return Optional.of(
            team
                ? withBreakdown(
                    invoice,
                    view,
                    lines,
                    preview.map(b -> b.shares(currency)).orElse(List.of()),
                    taxLines,
                    List.of())
                : new WithLines(view, lines, taxLines, List.of()));
      }
      List<Line> lines = lines(connection, id, currency);
      List<CreditNote> notes = CreditNoteRows.ofInvoice(connection, id);
      return Optional.of(
          team
              ? withBreakdown(
                  invoice, view, lines, InvoiceMemberAmounts.read(connection, id), taxLines, notes)
              : new WithLines(view, lines, taxLines, notes));
    }
  }

  /** The invoice with its lines and its breakdown by member: each member's parts, summed. */
  private static WithLines withBreakdown(
      Invoice invoice,
      InvoiceView view,
      List<Line> lines,
      List<Share> shares,
      List<TaxLine> taxLines,
      List<CreditNote> creditNotes) {
    Currency currency = invoice.currency();
    BigDecimal organization = Money.zero(currency);
    Map<String, List<LinePart>> parts = new TreeMap<>();
    for (Share share : shares) {
      if (share.memberId() == null) {
        organization = organization.add(share.amount());
      } else {
        parts
            .computeIfAbsent(share.memberId(), m -> new ArrayList<>())
            .add(
                new LinePart(
                    share.lineNo(),
                    plain(share.quantity()),
                    Money.shown(share.amount(), currency)));
      }
    }
    List<MemberAmount> members = new ArrayList<>();
    parts.forEach(
        (member, usage) ->
            members.add(
                new MemberAmount(
                    member,
                    usage,
                    usage.stream()
                        .map(LinePart::amount)
                        .reduce(Money.zero(currency), BigDecimal::add))));
    return new WithLines(
        view, lines, members, Money.shown(organization, currency), taxLines, creditNotes);
  }

  /** The stored tax of each of the invoices that has one, in one statement. */
  private static Map<Long, InvoiceView.StoredTax> taxes(Connection connection, List<Long> ids)
      throws SQLException {
    Map<Long, InvoiceView.StoredTax> taxes = new HashMap<>();
    if (ids.isEmpty()) {
      return taxes;
    }
    try (PreparedStatement statement =
            TAXES.bind("id", SqlArrays.array(connection, ids, id -> id)).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        taxes.put(
            rs.getLong(1),
            new InvoiceView.StoredTax(
                "calculated".equals(rs.getString(2)),
                rs.getBigDecimal(3),
                "inclusive".equals(rs.getString(4)),
                rs.getString(5)));
      }
    }
    return taxes;
  }

  /** The tax lines of an invoice, in Stripe's order. */
  private static List<TaxLine> taxLines(Connection connection, long id, Currency currency)
      throws SQLException {
    List<TaxLine> lines = new ArrayList<>();
    try (PreparedStatement statement = TAX_LINES.bind("invoice_id", id).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        BigDecimal percentage = rs.getBigDecimal(4);
        lines.add(
            new TaxLine(
                rs.getInt(1),
                Money.shown(rs.getBigDecimal(2), currency),
                Money.shown(rs.getBigDecimal(3), currency),
                percentage,
                rs.getString(5),
                rs.getString(6),
                rs.getString(7),
                rs.getString(8),
                rs.getString(9),
                rs.getString(10),
                rs.getBoolean(11)));
      }
    }
    return lines;
  }

  private List<Line> previewLines(Optional<Billed> preview, Currency currency) {
    List<Line> lines = new ArrayList<>();
    List<ChargeLine> charges = preview.map(Billed::lines).orElse(List.of());
    Map<Integer, Integer> discounted = new HashMap<>();
    preview.ifPresent(
        billed -> billed.discounts().forEach(d -> discounted.put(d.index(), d.discounted() + 1)));
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
              charge.to(),
              charge.activity(),
              charge.saved() == null ? null : Money.shown(charge.saved(), currency),
              discounted.get(lines.size())));
    }
    return lines;
  }

  private static List<Line> lines(Connection connection, long invoiceId, Currency currency)
      throws SQLException {
    try (PreparedStatement statement = LINES.bind("invoice_id", invoiceId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      List<Line> lines = new ArrayList<>();
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
                Sql.instant(rs.getTimestamp("period_start")),
                Sql.instant(rs.getTimestamp("period_end")),
                rs.getString("activity"),
                rs.getBigDecimal("saved") == null
                    ? null
                    : Money.shown(rs.getBigDecimal("saved"), currency),
                (Integer) rs.getObject("discounts_line")));
      }
      return lines;
    }
  }

  /** Quantities and unit prices keep their precision, without padding zeros (0.05, not 0.0500). */
  private static BigDecimal plain(BigDecimal value) {
    return value == null ? null : value.stripTrailingZeros();
  }
}
