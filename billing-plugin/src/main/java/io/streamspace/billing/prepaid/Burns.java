package io.streamspace.billing.prepaid;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.catalog.BillingMode;
import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.UsageUnit;
import io.streamspace.billing.rating.RatedRun;
import java.math.BigDecimal;
import java.math.MathContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Burns: what calculate-usage rated of an organization on a prepaid plan ({@code "prepaid":
 * true}) taken from its prepaid balance in the rating's transaction, so that a crash or a re-run
 * never burns twice nor loses a burn (a run rates a record once). One {@code burn} entry per
 * organization, currency and billing period of the run's records (source {@code
 * burn:<run>:<org>:<currency>:<period start>}, its row in {@code billing_prepaid_burns} saying
 * which run and period it burned, for the invoice to settle: {@link BalanceApplier}).
 *
 * <p><b>Amount.</b> The records' cost, Σ unit-seconds × unit price ÷ the unit's unit-seconds,
 * rounded once to the minor unit by {@link Money#rounded} (half up): the invoice rounds each line
 * once instead, and its settlement takes or gives back the sub-cent difference. In {@code
 * subscription} mode usage costs nothing and nothing burns; in {@code hybrid} mode the whole
 * usage burns (as admission holds the whole of it), and the invoice's settlement gives back what
 * its plan's allowance covered.
 *
 * <p><b>No overdraft.</b> There is no overdraft rule: a burn takes at most what the balance has
 * for it, which is what is available plus what the burned sessions reserved (what other running
 * sessions hold stays theirs, as it does for an invoice). What it cannot take stays on the
 * invoice, which collects it as any invoice.
 *
 * <p><b>Reservations.</b> Each session burned has its open reservation lowered by its burned
 * cost, not below zero, in the same transaction ({@link Reservations#lower}), so that {@code
 * reserved} never holds what was already taken; check-quotas extends it again ({@link
 * ReservationExtensions}). Posting goes through {@link PrepaidLedger#post}, which checks the auto
 * top-up rules of the organizations it lowered ({@link TopUpChecks#lowered}).
 *
 * <p>One set-based statement per share finds the costs, by the run's records of the organizations
 * that hold a balance on a prepaid plan (the records' index by account and run); a share without
 * any stops there.
 */
public final class Burns implements RatedRun {

  private static final Cause CAUSE = Cause.job("calculate-usage");

  // each organization on a prepaid plan with money, its run's records' priced unit-seconds by
  // session, period and resource
  private static final NamedSql COSTS =
      NamedSql.of(
          """
          SELECT r.user_id, r.currency, r.session_id,
                 (:periods::timestamptz[])[width_bucket(r.slice_start, :periods::timestamptz[])],
                 r.resource_type, sum(r.unit_seconds * r.unit_price)
          FROM billing_prepaid_balances b
          JOIN billing_usage_records r
            ON r.user_id = b.org_id AND r.rating_run = :rating_run AND r.currency = b.currency
          WHERE b.balance > 0
            AND EXISTS (SELECT 1 FROM billing_subscriptions s
                        WHERE s.user_id = b.org_id AND s.ended_at IS NULL
                          AND s.plan_id = ANY (:prepaid_plans::text[]))
          GROUP BY 1, 2, 3, 4, 5""");

  private static final NamedSql RECORD =
      NamedSql.of(
          """
          INSERT INTO billing_prepaid_burns (entry_id, org_id, currency, period_start, rating_run,
                                             amount)
          SELECT * FROM unnest(:entry_id::text[]::bigint[], :org_id::text[], :currency::text[],
                               :period_start::text[]::timestamptz[],
                               :rating_run::text[]::bigint[], :amount::text[]::numeric[])
          ON CONFLICT DO NOTHING""");

  /** What a burn is of: an organization's usage in a currency and billing period. */
  private record Key(String orgId, Currency currency, Instant periodStart)
      implements Comparable<Key> {
    String balanceKey() {
      return orgId + ' ' + currency.getCurrencyCode();
    }

    @Override
    public int compareTo(Key other) {
      int c = balanceKey().compareTo(other.balanceKey());
      return c != 0 ? c : periodStart.compareTo(other.periodStart);
    }
  }

  /** A burn posted, for its row. */
  private record Burned(long entryId, Key key, BigDecimal amount) {}

  @Override
  public void rated(
      Connection connection,
      BillingConfig config,
      long ratingRun,
      Instant from,
      Instant cap,
      Instant now)
      throws SQLException {
    List<String> prepaidPlans =
        config.subscriptionPlans().stream()
            .filter(SubscriptionPlan::prepaid)
            .map(SubscriptionPlan::id)
            .toList();
    if (prepaidPlans.isEmpty() || config.billingMode() == BillingMode.SUBSCRIPTION) {
      return;
    }
    BillingPeriods periods = new BillingPeriods(config.invoiceDay(), config.billingTimeZone());
    List<Instant> starts = new ArrayList<>();
    starts.add(periods.periodStart(from));
    starts.addAll(periods.boundariesBetween(from, cap));
    Map<Key, BigDecimal> costs = new TreeMap<>(); // exact, by burn, in organization order
    Map<String, BigDecimal> bySession = new TreeMap<>(); // exact, by session
    Map<String, String> balanceOf = new TreeMap<>(); // each session's balance key
    try (PreparedStatement statement =
            COSTS
                .bind("periods", SqlArrays.instants(connection, starts))
                .bind("rating_run", ratingRun)
                .bind("prepaid_plans", SqlArrays.array(connection, prepaidPlans, id -> id))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        Key key =
            new Key(
                rs.getString(1),
                Currency.getInstance(rs.getString(2).trim()),
                rs.getTimestamp(4).toInstant());
        // the quotient at 34 digits, added up: the one rounding is the burn's
        BigDecimal cost =
            rs.getBigDecimal(6)
                .divide(
                    UsageUnit.ofResourceType(rs.getString(5)).unitSecondsPerUnit(),
                    MathContext.DECIMAL128);
        costs.merge(key, cost, BigDecimal::add);
        String session = rs.getString(3);
        if (!session.isEmpty()) { // '' is the organization's storage: no reservation
          bySession.merge(session, cost, BigDecimal::add);
          balanceOf.put(session, key.balanceKey());
        }
      }
    }
    if (!costs.isEmpty()) {
      burn(connection, costs, bySession, balanceOf, ratingRun, now);
    }
  }

  private static void burn(
      Connection connection,
      Map<Key, BigDecimal> costs,
      Map<String, BigDecimal> bySession,
      Map<String, String> balanceOf,
      long ratingRun,
      Instant now)
      throws SQLException {
    List<Key> keys = List.copyOf(costs.keySet());
    Map<String, BigDecimal[]> balances =
        PrepaidLedger.lock(
            connection,
            SqlArrays.array(connection, keys, Key::orgId),
            SqlArrays.array(connection, keys, Key::currency));
    // what each balance has for the burns: available, and what the burned sessions reserved
    Map<String, BigDecimal> room = new TreeMap<>();
    balances.forEach((key, b) -> room.put(key, b[0].subtract(b[1])));
    Map<String, BigDecimal> lowered = new TreeMap<>();
    Reservations.open(connection, List.copyOf(bySession.keySet()))
        .forEach(
            (session, reserved) -> {
              Currency currency = currencyOf(balanceOf.get(session));
              BigDecimal by = reserved.min(Money.rounded(bySession.get(session), currency));
              if (by.signum() > 0) {
                lowered.put(session, by);
                room.merge(balanceOf.get(session), by, BigDecimal::add);
              }
            });
    Reservations.lower(connection, lowered);
    List<NewEntry> entries = new ArrayList<>();
    List<Key> burned = new ArrayList<>();
    for (Key key : keys) {
      BigDecimal left = room.getOrDefault(key.balanceKey(), BigDecimal.ZERO);
      BigDecimal amount = Money.rounded(costs.get(key), key.currency()).min(left);
      if (amount.signum() > 0) {
        room.put(key.balanceKey(), left.subtract(amount));
        entries.add(
            new NewEntry(
                key.orgId(),
                key.currency(),
                EntryKind.BURN,
                amount.negate(),
                "usage rated in run %d, of the period from %s"
                    .formatted(ratingRun, key.periodStart()),
                "burn:%d:%s:%s:%s"
                    .formatted(
                        ratingRun,
                        key.orgId(),
                        key.currency().getCurrencyCode(),
                        key.periodStart()),
                null,
                now,
                CAUSE));
        burned.add(key);
      }
    }
    List<Burned> rows = new ArrayList<>();
    List<PrepaidLedger.Posted> posted = PrepaidLedger.post(connection, entries);
    for (int i = 0; i < posted.size(); i++) {
      if (posted.get(i).fresh()) {
        LedgerEntry entry = posted.get(i).entry();
        rows.add(new Burned(entry.id(), burned.get(i), entry.amount().negate()));
      }
    }
    if (!rows.isEmpty()) {
      RECORD
          .bind("entry_id", SqlArrays.array(connection, rows, Burned::entryId))
          .bind("org_id", SqlArrays.array(connection, rows, r -> r.key().orgId()))
          .bind("currency", SqlArrays.array(connection, rows, r -> r.key().currency()))
          .bind("period_start", SqlArrays.array(connection, rows, r -> r.key().periodStart()))
          .bind("rating_run", SqlArrays.array(connection, rows, r -> ratingRun))
          .bind("amount", SqlArrays.array(connection, rows, Burned::amount))
          .update(connection);
    }
  }

  private static Currency currencyOf(String balanceKey) {
    return Currency.getInstance(balanceKey.substring(balanceKey.lastIndexOf(' ') + 1));
  }
}
