package io.streamspace.billing.prepaid;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Settles invoices being finalized with their organizations' prepaid balances, inside the
 * finalization's transaction, after their credits (promotional credits first, then the balance),
 * and gives the payment back when an invoice is voided.
 *
 * <p>An organization on a prepaid plan has paid some of its invoice already: its burns ({@link
 * Burns}), taken as its usage was rated, each period's burns what its invoice would take for the
 * usage rated so far. An invoice settles its organization's burns in its currency not settled
 * yet of the billing periods that end by its own end: an invoice claims every unbilled record
 * before its end (its period's, and those of earlier periods rated late), so those periods'
 * burns are of usage it bills. An admin's invoice that ends inside a period (a range) settles
 * none of that period's burns: it did not claim the rest of that period's usage. It pays from
 * what is available as an invoice of an organization without burns would, and the next rating
 * run gives back what the period's burns took of the usage it claimed (the period's charged usage
 * left unclaimed is less), so the usage is never paid twice for longer than that; the period's
 * own invoice settles the rest.
 *
 * <p>What the balance pays of the invoice in all is {@code min(due after credits, those burns +
 * what is available)} (available: balance - reserved; what running sessions hold stays theirs).
 * What that takes beyond the burns is one {@code invoice_applied} entry (source {@code
 * invoice:<id>}); what the burns took beyond it (credits granted since the last burn, a plan fee
 * the burns never cover being less than that) is given back as one {@code burn_returned} entry
 * (source {@code invoice:<id>:burns}). So the invoice's {@code balance_applied} and the ledger's
 * entries of it (its burns and that one entry) agree to the cent. The burns are marked settled by
 * the invoice, and each source is unique: an invoice settles once, whatever runs again. A chunk's
 * invoices of one organization settle in their order.
 *
 * <p>Locks: every balance of the chunk's organizations is locked by one statement, in
 * organization and currency order (as a burn and {@link PrepaidLedger#post} lock them), before
 * their burns; never one later, out of that order.
 */
public final class BalanceApplier {

  /**
   * What an invoice being finalized still owes after its credits, in its currency's minor unit.
   *
   * @param settlesBefore the burns it settles are of the billing periods that start before this:
   *     the start of the period its end lies in (its end itself when that is a period's end)
   */
  public record Due(
      long invoiceId, String orgId, Currency currency, Instant settlesBefore, BigDecimal amount) {}

  // every balance of a chunk's organizations, locked in one statement in the order every writer
  // locks them (those with nothing available too: a burn-returned entry may post to one); a
  // chunk where no organization holds one reads no more than this
  private static final NamedSql AVAILABLE =
      NamedSql.of(
          """
          SELECT b.org_id, b.currency, b.balance - b.reserved
          FROM (SELECT DISTINCT * FROM unnest(:org_id::text[], :currency::text[])) AS w(org_id,
                                                                                     currency)
          JOIN billing_prepaid_balances b ON b.org_id = w.org_id AND b.currency = w.currency
          ORDER BY b.org_id, b.currency
          FOR UPDATE OF b""");

  // their burns not settled yet, oldest period first (locked after the balances, as rating does)
  private static final NamedSql UNSETTLED =
      NamedSql.of(
          """
          SELECT b.entry_id, b.org_id, b.currency, b.period_start, b.amount
          FROM (SELECT DISTINCT * FROM unnest(:org_id::text[], :currency::text[])) AS w(org_id,
                                                                                     currency)
          JOIN billing_prepaid_burns b ON b.org_id = w.org_id AND b.currency = w.currency
          WHERE b.settled_by IS NULL
          ORDER BY b.org_id, b.currency, b.period_start, b.entry_id
          FOR UPDATE OF b""");

  private static final NamedSql SETTLE =
      NamedSql.of(
          """
          UPDATE billing_prepaid_burns b SET settled_by = s.invoice_id
          FROM unnest(:entry_id::text[]::bigint[], :invoice_id::text[]::bigint[])
               AS s(entry_id, invoice_id)
          WHERE b.entry_id = s.entry_id AND b.settled_by IS NULL""");

  private static final NamedSql APPLIED =
      NamedSql.of(
          """
          SELECT user_id, currency, balance_applied FROM billing_invoices WHERE id = :id""");

  /** A burn not settled yet. */
  private record Burn(long entryId, String balanceKey, Instant periodStart, BigDecimal amount) {}

  private BalanceApplier() {}

  /**
   * Settles each of {@code dues} with its organization's burns and balance as far as they go;
   * answers what the balance paid of each in all, in their order (zero in the currency's scale
   * for an invoice paid nothing).
   */
  public static List<BigDecimal> apply(
      Connection connection, List<Due> dues, Instant now, Cause cause) throws SQLException {
    if (dues.isEmpty()) {
      return List.of();
    }
    Array orgs = SqlArrays.array(connection, dues, Due::orgId);
    Array currencies = SqlArrays.array(connection, dues, d -> d.currency().getCurrencyCode());
    Map<String, BigDecimal> available = available(connection, orgs, currencies);
    List<Burn> unsettled = unsettled(connection, orgs, currencies);
    List<NewEntry> entries = new ArrayList<>();
    List<BigDecimal> paid = new ArrayList<>(dues.size());
    List<long[]> settled = new ArrayList<>(); // {entry id, invoice id}
    for (Due due : dues) {
      String key = key(due.orgId(), due.currency());
      BigDecimal burned = BigDecimal.ZERO;
      for (Iterator<Burn> it = unsettled.iterator(); it.hasNext(); ) {
        Burn burn = it.next();
        if (burn.balanceKey().equals(key) && burn.periodStart().isBefore(due.settlesBefore())) {
          burned = burned.add(burn.amount());
          settled.add(new long[] {burn.entryId(), due.invoiceId()});
          it.remove();
        }
      }
      BigDecimal left = available.getOrDefault(key, BigDecimal.ZERO);
      BigDecimal total =
          Money.shown(due.amount().min(burned.add(left)).max(BigDecimal.ZERO), due.currency());
      BigDecimal more = total.subtract(burned);
      available.put(key, left.subtract(more));
      paid.add(total);
      if (more.signum() > 0) {
        entries.add(entry(due, EntryKind.INVOICE_APPLIED, more.negate(), "", now, cause));
      } else if (more.signum() < 0) {
        entries.add(entry(due, EntryKind.BURN_RETURNED, more.negate(), ":burns", now, cause));
      }
    }
    PrepaidLedger.post(connection, entries);
    if (!settled.isEmpty()) {
      SETTLE
          .bind("entry_id", SqlArrays.array(connection, settled, s -> s[0]))
          .bind("invoice_id", SqlArrays.array(connection, settled, s -> s[1]))
          .update(connection);
    }
    return paid;
  }

  private static NewEntry entry(
      Due due, EntryKind kind, BigDecimal amount, String sourceSuffix, Instant now, Cause cause) {
    return new NewEntry(
        due.orgId(),
        due.currency(),
        kind,
        amount,
        kind == EntryKind.BURN_RETURNED
            ? "invoice " + due.invoiceId() + ": its burns beyond what it needed"
            : "invoice " + due.invoiceId(),
        source(due.invoiceId()) + sourceSuffix,
        due.invoiceId(),
        now,
        cause);
  }

  /**
   * Gives back to its balance what the balance paid of the invoice in all (its burns and its
   * settlement: its {@code balance_applied}), as an {@code invoice_voided} entry (source {@code
   * invoice:<id>:void}, once): the void releases its usage to be billed again. Answers the
   * amount, zero when it paid nothing. The caller holds the invoice's account lock, as a
   * finalization does.
   */
  public static BigDecimal giveBack(Connection connection, long invoiceId, Instant now, Cause cause)
      throws SQLException {
    String orgId;
    Currency currency;
    BigDecimal amount;
    try (PreparedStatement statement = APPLIED.bind("id", invoiceId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next() || rs.getBigDecimal(3).signum() == 0) {
        return BigDecimal.ZERO;
      }
      orgId = rs.getString(1);
      currency = Currency.getInstance(rs.getString(2).trim());
      amount = rs.getBigDecimal(3);
    }
    PrepaidLedger.post(
        connection,
        List.of(
            new NewEntry(
                orgId,
                currency,
                EntryKind.INVOICE_VOIDED,
                amount,
                "invoice " + invoiceId + " voided",
                source(invoiceId) + ":void",
                invoiceId,
                now,
                cause)));
    return amount;
  }

  /** The source of an invoice's payment from the balance. */
  static String source(long invoiceId) {
    return "invoice:" + invoiceId;
  }

  private static String key(String orgId, Currency currency) {
    return orgId + ' ' + currency.getCurrencyCode();
  }

  private static Map<String, BigDecimal> available(
      Connection connection, Array orgs, Array currencies) throws SQLException {
    Map<String, BigDecimal> available = new HashMap<>();
    try (PreparedStatement statement =
            AVAILABLE.bind("org_id", orgs).bind("currency", currencies).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        if (rs.getBigDecimal(3).signum() > 0) { // locked all the same
          available.put(rs.getString(1) + ' ' + rs.getString(2).trim(), rs.getBigDecimal(3));
        }
      }
    }
    return available;
  }

  private static List<Burn> unsettled(Connection connection, Array orgs, Array currencies)
      throws SQLException {
    List<Burn> burns = new ArrayList<>();
    try (PreparedStatement statement =
            UNSETTLED.bind("org_id", orgs).bind("currency", currencies).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        burns.add(
            new Burn(
                rs.getLong(1),
                rs.getString(2) + ' ' + rs.getString(3).trim(),
                rs.getTimestamp(4).toInstant(),
                rs.getBigDecimal(5)));
      }
    }
    return burns;
  }
}
