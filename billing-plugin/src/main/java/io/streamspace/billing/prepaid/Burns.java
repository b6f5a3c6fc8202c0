package io.streamspace.billing.prepaid;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.catalog.BillingMode;
import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.credits.CreditApplier;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.UsageUnit;
import io.streamspace.billing.rating.RatedRun;
import java.math.BigDecimal;
import java.math.MathContext;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Burns: what calculate-usage rated of an organization on a prepaid plan ({@code "prepaid":
 * true}) taken from its prepaid balance in the rating's transaction, so that a crash or a re-run
 * never burns twice nor loses a burn (a run rates a record once). At any instant what the ledger
 * burned of a billing period (its burns not settled yet) is what the period's invoice would take
 * from the balance for the usage rated so far: its charged usage less the credits it can use,
 * as far as the balance goes.
 *
 * <p><b>Cumulative.</b> For each organization, currency and billing period of the run's records,
 * the run works out that target and posts the difference to what the period's burns not settled
 * yet add up to: a {@code burn} entry when more is due (source {@code
 * burn:<run>:<org>:<currency>:<period start>}), a {@code burn_returned} entry of no invoice when
 * less is (source the same with {@code :back}: a credit granted since, an admin's invoice that
 * claimed some of the usage), each with its row in {@code billing_prepaid_burns} (signed) for
 * the invoice to settle ({@link BalanceApplier}). So the burns never round more than once: the
 * target is in whole cents.
 *
 * <p><b>Target.</b> {@code max(0, charged usage - usable credits)}, capped by what the balance
 * can give. The charged usage is the invoice's own figure ({@link ChargedUsage}: its usage lines
 * in {@code usage} mode, its overage in {@code hybrid} mode, nothing in {@code subscription}
 * mode, each line rounded once as the invoice rounds it). The usable credits are those the
 * invoice would apply now, read without locking them (finalization locks accounts, then
 * credits, then balances: a burn holds balance locks), an earlier period's charged usage taking
 * them first. What the invoice's settlement takes or gives back then is only what changed since
 * the last run: credits granted or used later, and what burns never cover (plan fees, counters,
 * seats, packs, store items, tax).
 *
 * <p><b>No overdraft.</b> A burn takes at most what the balance has for it, which is what is
 * available plus what the burned sessions reserved (what other running sessions hold stays
 * theirs, as it does for an invoice). What it cannot take stays on the invoice, which collects it
 * as any invoice.
 *
 * <p><b>Reservations.</b> Each session burned has its open reservation lowered by its rated cost,
 * not below zero, in the same transaction ({@link Reservations#lower}), so that {@code reserved}
 * never holds what was already rated; check-quotas extends it again ({@link
 * ReservationExtensions}). Posting goes through {@link PrepaidLedger#post}, which checks the auto
 * top-up rules of the organizations it lowered ({@link TopUpChecks#lowered}).
 *
 * <p>Cost: one set-based statement per share finds the run's costs, by the run's records of the
 * organizations on a prepaid plan that hold money or burns not settled (the records' index by
 * account and run); a share without any stops there. Only those organizations are then read
 * further: their burns and credits (one statement each for all), and the charged usage of each
 * of their periods in the run (the invoice's read of one period).
 */
public final class Burns implements RatedRun {

  /**
   * What the invoice of the billing period that starts at {@code periodStart} would charge the
   * organization for its usage rated so far, before credits, read in the caller's transaction
   * (the invoice's own code: {@code invoicing.PeriodSoFar#chargedUsage}, wired in).
   */
  @FunctionalInterface
  public interface ChargedUsage {
    BigDecimal of(Connection connection, String orgId, Currency currency, Instant periodStart)
        throws SQLException;
  }

  private static final Cause CAUSE = Cause.job("calculate-usage");

  // each organization on a prepaid plan with money or burns not settled, its run's records'
  // priced unit-seconds by session, period and resource
  private static final NamedSql COSTS =
      NamedSql.of(
          """
          SELECT r.user_id, r.currency, r.session_id,
                 (:periods::timestamptz[])[width_bucket(r.slice_start, :periods::timestamptz[])],
                 r.resource_type, sum(r.unit_seconds * r.unit_price)
          FROM billing_prepaid_balances b
          JOIN billing_usage_records r
            ON r.user_id = b.org_id AND r.rating_run = :rating_run AND r.currency = b.currency
          WHERE (b.balance > 0
                 OR EXISTS (SELECT 1 FROM billing_prepaid_burns u
                            WHERE u.org_id = b.org_id AND u.currency = b.currency
                              AND u.settled_by IS NULL))
            AND EXISTS (SELECT 1 FROM billing_subscriptions s
                        WHERE s.user_id = b.org_id AND s.ended_at IS NULL
                          AND s.plan_id = ANY (:prepaid_plans::text[]))
          GROUP BY 1, 2, 3, 4, 5""");

  // what the periods' burns not settled yet add up to (read under the balances' locks, which
  // every writer of burns and every settlement takes first)
  private static final NamedSql BURNED =
      NamedSql.of(
          """
          SELECT u.org_id, u.currency, u.period_start, sum(u.amount)
          FROM (SELECT DISTINCT * FROM unnest(:org_id::text[], :currency::text[],
                                              :period_start::text[]::timestamptz[]))
               AS w(org_id, currency, period_start)
          JOIN billing_prepaid_burns u
            ON u.org_id = w.org_id AND u.currency = w.currency AND u.period_start = w.period_start
          WHERE u.settled_by IS NULL
          GROUP BY 1, 2, 3""");

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

  /** A burn (positive) or a give-back (negative) posted, for its row. */
  private record Burned(long entryId, Key key, BigDecimal amount) {}

  private final ChargedUsage charged;

  public Burns(ChargedUsage charged) {
    this.charged = charged;
  }

  /**
   * Whose run a burn is of: calculate-usage's, or a usage correction's (its own rating run, in the
   * transaction that applies it).
   *
   * @param correctionId null for calculate-usage's
   */
  private record Run(long ratingRun, Long correctionId) {}

  @Override
  public void rated(
      Connection connection,
      BillingConfig config,
      long ratingRun,
      Instant from,
      Instant cap,
      Instant now)
      throws SQLException {
    burnRun(connection, config, new Run(ratingRun, null), from, cap, now);
  }

  /**
   * What usage correction {@code correctionId} changed of the periods not invoiced yet, burned or
   * given back as a run of calculate-usage would: its usage records (of its rating run {@code
   * ratingRun}, from {@code from}) change what the period's invoice would take from the balance,
   * and the difference to what is burned of the period is a {@code burn} or a {@code
   * burn_returned} entry naming the correction (source {@code
   * correction:<id>:burn:<org>:<currency>:<period start>}, {@code :back} for a give-back), with
   * its row for the invoice to settle. In the correction's transaction, which applies it once.
   */
  public void corrected(
      Connection connection,
      BillingConfig config,
      long correctionId,
      long ratingRun,
      Instant from,
      Instant now)
      throws SQLException {
    burnRun(connection, config, new Run(ratingRun, correctionId), from, now, now);
  }

  private void burnRun(
      Connection connection, BillingConfig config, Run run, Instant from, Instant cap, Instant now)
      throws SQLException {
    long ratingRun = run.ratingRun();
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
    Set<Key> keys = new TreeSet<>(); // in organization order, then period
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
        keys.add(key);
        String session = rs.getString(3);
        if (!session.isEmpty()) { // '' is the organization's storage: no reservation
          bySession.merge(
              session,
              rs.getBigDecimal(6)
                  .divide(
                      UsageUnit.ofResourceType(rs.getString(5)).unitSecondsPerUnit(),
                      MathContext.DECIMAL128),
              BigDecimal::add);
          balanceOf.put(session, key.balanceKey());
        }
      }
    }
    if (!keys.isEmpty()) {
      burn(connection, List.copyOf(keys), bySession, balanceOf, run, now);
    }
  }

  private void burn(
      Connection connection,
      List<Key> keys,
      Map<String, BigDecimal> bySession,
      Map<String, String> balanceOf,
      Run run,
      Instant now)
      throws SQLException {
    long ratingRun = run.ratingRun();
    Array orgs = SqlArrays.array(connection, keys, Key::orgId);
    Array currencies = SqlArrays.array(connection, keys, Key::currency);
    Map<String, BigDecimal[]> balances = PrepaidLedger.lock(connection, orgs, currencies);
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
    Map<Key, BigDecimal> burned = burned(connection, keys);
    Map<String, BigDecimal> credits = CreditApplier.usable(connection, orgs, currencies, now);
    // each period's change: give-backs first, so that what they free can be burned next
    Map<Key, BigDecimal> change = new LinkedHashMap<>();
    for (Key key : keys) {
      BigDecimal usage = charged.of(connection, key.orgId(), key.currency(), key.periodStart());
      BigDecimal credit = credits.getOrDefault(key.balanceKey(), BigDecimal.ZERO);
      credits.put(key.balanceKey(), credit.subtract(usage).max(BigDecimal.ZERO));
      BigDecimal target = usage.subtract(credit).max(BigDecimal.ZERO);
      BigDecimal diff = target.subtract(burned.getOrDefault(key, BigDecimal.ZERO));
      change.put(key, diff);
      if (diff.signum() < 0) {
        room.merge(key.balanceKey(), diff.negate(), BigDecimal::add);
      }
    }
    List<NewEntry> entries = new ArrayList<>();
    List<Key> posted = new ArrayList<>();
    for (Key key : keys) {
      BigDecimal diff = change.get(key);
      if (diff.signum() > 0) {
        BigDecimal left = room.getOrDefault(key.balanceKey(), BigDecimal.ZERO);
        diff = diff.min(left).max(BigDecimal.ZERO);
        room.put(key.balanceKey(), left.subtract(diff));
      }
      if (diff.signum() != 0) {
        entries.add(entry(key, diff, run, now));
        posted.add(key);
      }
    }
    List<Burned> rows = new ArrayList<>();
    List<PrepaidLedger.Posted> done = PrepaidLedger.post(connection, entries);
    for (int i = 0; i < done.size(); i++) {
      if (done.get(i).fresh()) {
        LedgerEntry entry = done.get(i).entry();
        rows.add(new Burned(entry.id(), posted.get(i), entry.amount().negate()));
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

  /** A burn of {@code amount} (positive), or a give-back of its opposite (negative). */
  private static NewEntry entry(Key key, BigDecimal amount, Run run, Instant now) {
    boolean back = amount.signum() < 0;
    String of =
        run.correctionId() == null
            ? "in run %d".formatted(run.ratingRun())
            : "by usage correction %d".formatted(run.correctionId());
    return new NewEntry(
        key.orgId(),
        key.currency(),
        back ? EntryKind.BURN_RETURNED : EntryKind.BURN,
        amount.negate(),
        (back
                ? "burned beyond what the invoice would take, given back %s, of the period"
                    + " from %s"
                : "usage rated %s, of the period from %s")
            .formatted(of, key.periodStart()),
        "%s:%s:%s:%s%s"
            .formatted(
                run.correctionId() == null
                    ? "burn:" + run.ratingRun()
                    : "correction:" + run.correctionId() + ":burn",
                key.orgId(),
                key.currency().getCurrencyCode(),
                key.periodStart(),
                back ? ":back" : ""),
        null,
        now,
        run.correctionId() == null ? CAUSE : Cause.job("usage-correction"));
  }

  /** What each period's burns not settled yet add up to (none: nothing burned). */
  private static Map<Key, BigDecimal> burned(Connection connection, List<Key> keys)
      throws SQLException {
    Map<Key, BigDecimal> burned = new HashMap<>();
    try (PreparedStatement statement =
            BURNED
                .bind("org_id", SqlArrays.array(connection, keys, Key::orgId))
                .bind("currency", SqlArrays.array(connection, keys, Key::currency))
                .bind("period_start", SqlArrays.array(connection, keys, Key::periodStart))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        burned.put(
            new Key(
                rs.getString(1),
                Currency.getInstance(rs.getString(2).trim()),
                rs.getTimestamp(3).toInstant()),
            rs.getBigDecimal(4));
      }
    }
    return burned;
  }

  private static Currency currencyOf(String balanceKey) {
    return Currency.getInstance(balanceKey.substring(balanceKey.lastIndexOf(' ') + 1));
  }
}
