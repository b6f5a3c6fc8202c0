package io.streamspace.billing.invoicing;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.invoicing.PackCharges.OneTimeCharge;
import io.streamspace.billing.invoicing.PackCharges.RecurringPack;
import io.streamspace.common.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The pack charges an invoice bills, read for {@link PackCharges}: the one-time purchases and
 * renewals of the account not on any invoice yet, up to the invoice's end (finalization claims
 * them, {@code invoice_id}, so each is billed once; a preview only reads them; one paid at
 * Stripe Checkout, {@code paid_checkout}, is never billed), and the
 * recurring purchases active at some time within the invoice's period.
 *
 * <p>A charge is priced in the currency it was bought in, which is the account's (a late {@code
 * user.created} no longer changes the currency of an account that bought a pack): one in another
 * currency than the invoice's is never billed, it fails the invoice ({@link
 * IllegalStateException}, so a finalization rolls back and logs it) rather than bill 18 USD as
 * 18 VND.
 */
final class PackChargeRows {

  // :from bounds a period's estimate (charges of an earlier period are not its spending)
  private static final String UNBILLED =
      """
      p.id = e.purchase_id AND p.user_id = :user_id AND e.billed AND e.invoice_id IS NULL
        AND e.paid_checkout IS NULL AND e.at < :period_end AND e.at >= :from""";

  private static final NamedSql CLAIMED =
      NamedSql.of(
          """
          UPDATE billing_pack_events e SET invoice_id = :invoice_id
          FROM billing_pack_purchases p
          WHERE %s
          RETURNING p.pack_name, e.amount, e.at, e.valid_from, e.valid_until, e.currency"""
              .formatted(UNBILLED));

  private static final NamedSql PEEKED =
      NamedSql.of(
          """
          SELECT p.pack_name, e.amount, e.at, e.valid_from, e.valid_until, e.currency
          FROM billing_pack_events e, billing_pack_purchases p
          WHERE %s"""
              .formatted(UNBILLED));

  private static final NamedSql RECURRING =
      NamedSql.of(
          """
          SELECT pack_name, price, valid_from, cancelled_at, currency FROM billing_pack_purchases
          WHERE user_id = :user_id AND kind = 'recurring' AND valid_from < :period_end
            AND (cancelled_at IS NULL OR cancelled_at > :period_start)
          ORDER BY valid_from, id""");

  private PackChargeRows() {}

  /**
   * The one-time charges the invoice bills (claimed when {@code claim}) made from {@code from}
   * on: an invoice passes {@link Instant#EPOCH}, every unbilled charge before its end.
   */
  static List<OneTimeCharge> oneTime(
      Connection connection, Invoice invoice, boolean claim, Instant from) throws SQLException {
    NamedSql.Binding billed = claim ? CLAIMED.bind("invoice_id", invoice.id()) : PEEKED.binding();
    List<OneTimeCharge> charges = new ArrayList<>();
    try (PreparedStatement statement =
            billed
                .bind("user_id", invoice.userId())
                .bind("period_end", invoice.periodEnd())
                .bind("from", from)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        requireInvoiceCurrency(invoice, rs.getString(1), rs.getString(6));
        charges.add(
            new OneTimeCharge(
                rs.getString(1),
                rs.getBigDecimal(2),
                Sql.instant(rs.getTimestamp(3)),
                Sql.instant(rs.getTimestamp(4)),
                Sql.instant(rs.getTimestamp(5))));
      }
    }
    return charges;
  }

  static List<RecurringPack> recurring(Connection connection, Invoice invoice) throws SQLException {
    List<RecurringPack> packs = new ArrayList<>();
    try (PreparedStatement statement =
            RECURRING
                .bind("user_id", invoice.userId())
                .bind("period_start", invoice.periodStart())
                .bind("period_end", invoice.periodEnd())
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        requireInvoiceCurrency(invoice, rs.getString(1), rs.getString(5));
        packs.add(
            new RecurringPack(
                rs.getString(1),
                rs.getBigDecimal(2),
                Sql.instant(rs.getTimestamp(3)),
                Sql.instant(rs.getTimestamp(4))));
      }
    }
    return packs;
  }

  private static void requireInvoiceCurrency(Invoice invoice, String packName, String currency) {
    if (!invoice.currency().getCurrencyCode().equals(currency)) {
      throw new IllegalStateException(
          "pack %s of %s was bought in %s, not billed on an invoice in %s"
              .formatted(packName, invoice.userId(), currency, invoice.currency()));
    }
  }
}
