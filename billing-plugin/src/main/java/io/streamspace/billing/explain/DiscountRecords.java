package io.streamspace.billing.explain;

import io.streamspace.billing.coupons.Coverage;
import io.streamspace.billing.coupons.Discount;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.invoicing.Discounts;
import io.streamspace.billing.invoicing.InvoiceView;
import io.streamspace.billing.invoicing.InvoiceView.Line;
import io.streamspace.billing.money.LargestRemainder;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.MoneyText;
import io.streamspace.common.db.Sql;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A discount line's record: the coupon whose discount it is (by the redemption the line names,
 * or for a draft the coupon its description names among those covering the invoice), the lines
 * that coupon took something off on this invoice, and how this line's part was computed, by
 * {@code invoicing.Discounts}' rule: a percentage of the line it discounts, rounded once; or an
 * amount shared among those lines in proportion to their amounts by largest remainder.
 */
final class DiscountRecords {

  /** The line's records and what it says of its coupon. */
  record Explained(Records records, DiscountApplied applied) {}

  private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

  private static final NamedSql REDEMPTION =
      NamedSql.of(
          """
          SELECT redemption_id FROM billing_invoice_lines
          WHERE invoice_id = :invoice_id AND line_no = :line_no""");

  private static final NamedSql REDEEMED =
      NamedSql.of(
          """
          SELECT redeemed_at, actor_id FROM billing_coupon_redemptions WHERE id = :id""");

  private DiscountRecords() {}

  static Explained of(Connection connection, InvoiceView.WithLines document, Line line)
      throws SQLException {
    InvoiceView invoice = document.invoice();
    List<Discount> covering =
        Coverage.discounts(
                connection,
                List.of(
                    new Coverage.Invoiced(
                        invoice.userId(), invoice.periodStart(), invoice.periodEnd())))
            .get(0);
    Long stored = storedRedemption(connection, invoice.id(), line.lineNo());
    Discount discount =
        covering.stream()
            .filter(
                d ->
                    stored != null
                        ? d.redemptionId() == stored
                        : Discounts.describesCoupon(line.description(), d.couponId()))
            .findFirst()
            .orElseThrow(
                () -> new IllegalStateException("no coupon found for line " + line.lineNo()));
    Map<Integer, BigDecimal> discounted = new TreeMap<>();
    for (Line other : document.lines()) {
      if ("discount".equals(other.kind())
          && Discounts.describesCoupon(other.description(), discount.couponId())) {
        discounted.put(
            other.discountsLine(), document.lines().get(other.discountsLine() - 1).amount());
      }
    }
    BigDecimal linesTotal = discounted.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
    Currency currency = Currency.getInstance(invoice.currency());
    Line target = document.lines().get(line.discountsLine() - 1);
    String[] redeemed = redeemed(connection, discount.redemptionId());
    DiscountApplied applied =
        new DiscountApplied(
            discount.couponId(),
            discount.code(),
            Instant.parse(redeemed[0]),
            redeemed[1],
            discount.percentOff(),
            discount.amountOff(),
            discount.currency() == null ? null : discount.currency().getCurrencyCode(),
            line.discountsLine(),
            List.copyOf(discounted.keySet()),
            linesTotal);
    String who =
        "coupon %s (%s), redeemed with code %s by %s at %s"
            .formatted(
                discount.couponId(),
                discount.describeTerms(),
                discount.code(),
                redeemed[1],
                redeemed[0]);
    String lines =
        discounted.keySet().stream().map(String::valueOf).collect(Collectors.joining(", "));
    BigDecimal off;
    String computation;
    String detail;
    BigDecimal rate = null;
    if (discount.percentOff() != null) {
      off = Money.lineTotal(target.amount().multiply(discount.percentOff()), HUNDRED, currency);
      rate = discount.percentOff().negate().movePointLeft(2).stripTrailingZeros();
      computation =
          "A coupon's discount of one line, before tax: %s %% of line %d's amount, rounded half"
                  .formatted(plain(discount.percentOff()), line.discountsLine())
              + " up once to the minor unit. The coupon took something off lines "
              + lines
              + " of this invoice.";
      detail =
          "%s: %s %% of line %d (%s, %s) is %s"
              .formatted(
                  who,
                  plain(discount.percentOff()),
                  line.discountsLine(),
                  target.description(),
                  MoneyText.of(target.amount(), currency),
                  MoneyText.of(off, currency));
    } else {
      BigDecimal total = discount.amountOff().min(linesTotal);
      Map<Integer, BigDecimal> shares = new TreeMap<>();
      discounted.forEach((n, amount) -> shares.put(n, amount.multiply(total)));
      off = LargestRemainder.split(total, shares, linesTotal, currency).get(line.discountsLine());
      computation =
          "A coupon's discount, before tax: %s off the lines it applies to on this invoice"
                  .formatted(MoneyText.of(discount.amountOff(), currency))
              + " (lines "
              + lines
              + ", "
              + MoneyText.of(linesTotal, currency)
              + " in all), at most what they come to, shared among them in proportion to their"
              + " amounts by largest remainder; this is line "
              + line.discountsLine()
              + "'s part.";
      detail =
          "%s: %s of %s off lines %s, in proportion to line %d's %s: %s"
              .formatted(
                  who,
                  MoneyText.of(total, currency),
                  MoneyText.of(discount.amountOff(), currency),
                  lines,
                  line.discountsLine(),
                  MoneyText.of(target.amount(), currency),
                  MoneyText.of(off, currency));
    }
    BigDecimal amount = off.negate();
    ExplainedRecord record =
        new ExplainedRecord(
            1,
            "coupon",
            null,
            null,
            line.periodStart(),
            line.periodEnd(),
            null,
            target.amount(),
            invoice.currency(),
            rate,
            amount,
            Figures.step(currency),
            amount,
            detail,
            null,
            List.of());
    return new Explained(new Records.Listed(computation, List.of(record), amount), applied);
  }

  /** The redemption a stored discount line names; null for a draft's line (not stored). */
  private static Long storedRedemption(Connection connection, long invoiceId, int lineNo)
      throws SQLException {
    try (PreparedStatement statement =
            REDEMPTION.bind("invoice_id", invoiceId).bind("line_no", lineNo).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      return rs.next() ? (Long) rs.getObject(1) : null;
    }
  }

  /** When and by whom the redemption was made, as text. */
  private static String[] redeemed(Connection connection, long redemptionId) throws SQLException {
    try (PreparedStatement statement = REDEEMED.bind("id", redemptionId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      return new String[] {Sql.instant(rs.getTimestamp(1)).toString(), rs.getString(2)};
    }
  }

  private static String plain(BigDecimal value) {
    return value.stripTrailingZeros().toPlainString();
  }
}
