package io.streamspace.billing.invoicing;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.invoicing.PackCharges.OneTimeCharge;
import io.streamspace.billing.invoicing.PackCharges.RecurringPack;
import io.streamspace.common.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
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

  // Each invoice of a chunk (w, ord its place in it) with its account's one-time charges it
  // bills: not on any invoice yet, before its end; :from bounds a period's estimate (charges of
  // an earlier period are not its spending)
  private static final String UNBILLED =
      """
      unnest(:invoice_id::text[]::bigint[], :user_id::text[], :period_end::text[]::timestamptz[])
        WITH ORDINALITY AS w(invoice_id, user_id, period_end, ord)
      JOIN billing_pack_purchases p ON p.user_id = w.user_id
      JOIN billing_pack_events e
        ON e.purchase_id = p.id AND e.billed AND e.invoice_id IS NULL
       AND e.paid_checkout IS NULL AND e.at < w.period_end AND e.at >= :from""";

  // a charge two invoices of one account could both bill goes to the earlier in the chunk, as
  // if they were finalized one after the other
  private static final NamedSql CLAIMED =
      NamedSql.of(
          """
          WITH billed AS (
            SELECT DISTINCT ON (e.id) e.id, w.invoice_id, w.ord, p.pack_name
            FROM %s
            ORDER BY e.id, w.ord)
          UPDATE billing_pack_events e SET invoice_id = b.invoice_id
          FROM billed b
          WHERE e.id = b.id AND e.invoice_id IS NULL
          RETURNING b.ord, b.pack_name, e.amount, e.at, e.valid_from, e.valid_until, e.currency,
                    e.id"""
              .formatted(UNBILLED));

  private static final NamedSql PEEKED =
      NamedSql.of(
          """
          SELECT w.ord, p.pack_name, e.amount, e.at, e.valid_from, e.valid_until, e.currency,
                 e.id
          FROM %s"""
              .formatted(UNBILLED));

  // what finalized invoices billed, read again (a what-if): the charges each one claimed
  private static final NamedSql BILLED_BY =
      NamedSql.of(
          """
          SELECT w.ord, p.pack_name, e.amount, e.at, e.valid_from, e.valid_until, e.currency,
                 e.id
          FROM unnest(:invoice_id::text[]::bigint[], :user_id::text[],
                      :period_end::text[]::timestamptz[])
            WITH ORDINALITY AS w(invoice_id, user_id, period_end, ord)
          JOIN billing_pack_purchases p ON p.user_id = w.user_id
          JOIN billing_pack_events e ON e.purchase_id = p.id AND e.invoice_id = w.invoice_id""");

  /** How the one-time charges are read: claimed, peeked at, or as a finalized invoice billed. */
  enum OneTimeRead {
    CLAIM,
    PEEK,
    BILLED
  }

  private static final NamedSql RECURRING =
      NamedSql.of(
          """
          SELECT w.ord, p.pack_name, p.price, p.valid_from, p.cancelled_at, p.currency
          FROM unnest(:user_id::text[], :period_start::text[]::timestamptz[],
                      :period_end::text[]::timestamptz[])
               WITH ORDINALITY AS w(user_id, period_start, period_end, ord)
          JOIN billing_pack_purchases p
            ON p.user_id = w.user_id AND p.kind = 'recurring' AND p.valid_from < w.period_end
           AND (p.cancelled_at IS NULL OR p.cancelled_at > w.period_start)
          ORDER BY w.ord, p.valid_from, p.id""");

  private PackChargeRows() {}

  /**
   * The one-time charges each invoice bills (claimed when {@code claim}) made from {@code from}
   * on, in order of the invoices, by one statement: an invoice passes {@link Instant#EPOCH},
   * every unbilled charge before its end.
   */
  static List<List<OneTimeCharge>> oneTime(
      Connection connection, List<Invoice> invoices, boolean claim, Instant from)
      throws SQLException {
    return oneTime(connection, invoices, claim ? OneTimeRead.CLAIM : OneTimeRead.PEEK, from);
  }

  /**
   * {@link #oneTime(Connection, List, boolean, Instant)}, or ({@link OneTimeRead#BILLED}) the
   * charges each finalized invoice claimed, {@code from} unused.
   */
  static List<List<OneTimeCharge>> oneTime(
      Connection connection, List<Invoice> invoices, OneTimeRead read, Instant from)
      throws SQLException {
    record Row(long id, OneTimeCharge charge) {}
    List<List<Row>> rows = new ArrayList<>();
    invoices.forEach(i -> rows.add(new ArrayList<>()));
    NamedSql.Binding billed =
        switch (read) {
          case CLAIM -> CLAIMED.bind("from", from);
          case PEEK -> PEEKED.bind("from", from);
          case BILLED -> BILLED_BY.binding();
        };
    try (PreparedStatement statement =
            billed
                .bind("invoice_id", SqlArrays.array(connection, invoices, Invoice::id))
                .bind("user_id", SqlArrays.array(connection, invoices, Invoice::orgId))
                .bind("period_end", SqlArrays.array(connection, invoices, Invoice::periodEnd))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        int i = rs.getInt(1) - 1;
        requireInvoiceCurrency(invoices.get(i), rs.getString(2), rs.getString(7));
        rows.get(i)
            .add(
                new Row(
                    rs.getLong(8),
                    new OneTimeCharge(
                        rs.getString(2),
                        rs.getBigDecimal(3),
                        Sql.instant(rs.getTimestamp(4)),
                        Sql.instant(rs.getTimestamp(5)),
                        Sql.instant(rs.getTimestamp(6)))));
      }
    }
    // in the order the charges were made (by id), whatever order the statement answered in
    return rows.stream()
        .map(r -> r.stream().sorted(Comparator.comparingLong(Row::id)).map(Row::charge).toList())
        .toList();
  }

  /** The recurring packs active at some time in each invoice's period, in order of the invoices. */
  static List<List<RecurringPack>> recurring(Connection connection, List<Invoice> invoices)
      throws SQLException {
    List<List<RecurringPack>> packs = new ArrayList<>();
    invoices.forEach(i -> packs.add(new ArrayList<>()));
    try (PreparedStatement statement =
            RECURRING
                .bind("user_id", SqlArrays.array(connection, invoices, Invoice::orgId))
                .bind("period_start", SqlArrays.array(connection, invoices, Invoice::periodStart))
                .bind("period_end", SqlArrays.array(connection, invoices, Invoice::periodEnd))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        int i = rs.getInt(1) - 1;
        requireInvoiceCurrency(invoices.get(i), rs.getString(2), rs.getString(6));
        packs
            .get(i)
            .add(
                new RecurringPack(
                    rs.getString(2),
                    rs.getBigDecimal(3),
                    Sql.instant(rs.getTimestamp(4)),
                    Sql.instant(rs.getTimestamp(5))));
      }
    }
    return packs;
  }

  private static void requireInvoiceCurrency(Invoice invoice, String packName, String currency) {
    if (!invoice.currency().getCurrencyCode().equals(currency)) {
      throw new IllegalStateException(
          "pack %s of %s was bought in %s, not billed on an invoice in %s"
              .formatted(packName, invoice.orgId(), currency, invoice.currency()));
    }
  }
}
