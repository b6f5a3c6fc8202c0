package io.streamspace.billing.live;

import io.streamspace.billing.config.ActivityRates;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.credits.CreditApplier;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.invoicing.InvoiceCalculator;
import io.streamspace.billing.invoicing.PeriodSoFar;
import io.streamspace.billing.invoicing.UsageBucket;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.money.UsageUnit;
import io.streamspace.billing.rating.HeldSteps;
import io.streamspace.billing.rating.UnitPrices;
import io.streamspace.billing.spend.SpendingLimits;
import io.streamspace.common.db.Sql;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Reads an organization's {@link LiveBasis}: its period's invoice inputs ({@link
 * InvoiceCalculator#periodSoFar(Connection, String, Currency, Instant)}), and for an organization
 * that keeps a prepaid balance its usable credits and, while the period before is not invoiced,
 * that period's inputs; its sessions not settled yet with what they hold from their watermarks on
 * (nothing while its balance was spent or it was hibernated: {@link HeldSteps#pausedDuring}),
 * its storage levels from
 * its storage watermark on, and its running sessions' rated usage, in one {@code REPEATABLE READ,
 * READ ONLY} transaction: a rating run commits wholly before it or after it, so each instant of
 * usage is either rated in it or unrated in it, never both nor neither. A handful of indexed
 * statements, all by the organization's key. A running session's rated usage is carried over from
 * the read before ({@link RatedSoFar}), with only the records rated since added: its records are
 * read once, then an hour's at each rating run.
 */
final class LiveBasisReads {

  /** What a read gives: the basis, and each running session's rated usage, to carry over. */
  record Read(LiveBasis basis, Map<String, RatedSoFar> rated) {}

  private static final NamedSql ACCOUNT =
      NamedSql.of(
          """
          SELECT a.currency, a.closed_at,
                 coalesce(a.storage_rated_until, (SELECT min(l.effective_from)
                                                  FROM billing_storage_levels l
                                                  WHERE l.user_id = a.user_id))
          FROM billing_accounts a WHERE a.user_id = :org_id""");

  // the sessions calculate-usage has not settled (billing_sessions_unsettled_org), each with its
  // size steps from the one in effect at its watermark on (none: no size reported yet)
  private static final NamedSql SESSIONS =
      NamedSql.of(
          """
          SELECT s.session_id, s.user_id, s.started_at, coalesce(s.rated_until, s.started_at),
                 s.ended_at, s.last_heartbeat, s.rated_until,
                 z.effective_from, z.cpu_cores, z.memory_gb
          FROM billing_sessions s
          LEFT JOIN LATERAL (
            SELECT y.effective_from, y.cpu_cores, y.memory_gb FROM billing_session_sizes y
            WHERE y.session_id = s.session_id
              AND y.effective_from >= coalesce(
                  (SELECT max(x.effective_from) FROM billing_session_sizes x
                   WHERE x.session_id = s.session_id
                     AND x.effective_from <= coalesce(s.rated_until, s.started_at)),
                  '-infinity'::timestamptz)) z ON true
          WHERE s.org_id = :org_id AND NOT s.settled
          ORDER BY s.session_id, z.effective_from""");

  // their held meters' steps, likewise from the one in effect at the watermark on
  private static final NamedSql HELD =
      NamedSql.of(
          """
          SELECT h.session_id, h.meter_id, h.effective_from, h.amount
          FROM billing_sessions s
          JOIN billing_session_held h ON h.session_id = s.session_id
          WHERE s.org_id = :org_id AND NOT s.settled
            AND h.effective_from >= coalesce(
                (SELECT max(x.effective_from) FROM billing_session_held x
                 WHERE x.session_id = h.session_id AND x.meter_id = h.meter_id
                   AND x.effective_from <= coalesce(s.rated_until, s.started_at)),
                '-infinity'::timestamptz)
          ORDER BY h.session_id, h.meter_id, h.effective_from""");

  // their activity steps, likewise from the one in effect at the watermark on (read only when
  // activityRates prices a state: otherwise activity changes no price)
  private static final NamedSql ACTIVITY =
      NamedSql.of(
          """
          SELECT a.session_id, a.effective_from, a.state
          FROM billing_sessions s
          JOIN billing_session_activity a ON a.session_id = s.session_id
          WHERE s.org_id = :org_id AND NOT s.settled
            AND a.effective_from >= coalesce(
                (SELECT max(x.effective_from) FROM billing_session_activity x
                 WHERE x.session_id = a.session_id
                   AND x.effective_from <= coalesce(s.rated_until, s.started_at)),
                '-infinity'::timestamptz)
          ORDER BY a.session_id, a.effective_from""");

  // the spans its sessions are billed storage-only in: its holds for a spent balance (V71), the
  // ones that end after its unsettled sessions' earliest watermark, for all of them (no
  // session); and each unsettled session's hibernations (V77) that end after its watermark
  private static final NamedSql PAUSES =
      NamedSql.of(
          """
          SELECT NULL, h.placed_at, h.lifted_at FROM billing_account_holds h
          WHERE h.user_id = :org_id AND h.reason = 'balance_exhausted'
            AND (h.lifted_at IS NULL OR h.lifted_at > (
                SELECT min(coalesce(s.rated_until, s.started_at)) FROM billing_sessions s
                WHERE s.org_id = :org_id AND NOT s.settled))
          UNION ALL
          SELECT z.session_id, z.hibernated_at, z.resumed_at FROM billing_sessions s
          JOIN billing_session_hibernations z ON z.session_id = s.session_id
          WHERE s.org_id = :org_id AND NOT s.settled
            AND (z.resumed_at IS NULL OR z.resumed_at > coalesce(s.rated_until, s.started_at))
          ORDER BY 2""");

  private static final NamedSql STORAGE =
      NamedSql.of(
          """
          SELECT l.effective_from, l.storage_gb FROM billing_storage_levels l
          WHERE l.user_id = :org_id
            AND l.effective_from >= coalesce(
                (SELECT max(x.effective_from) FROM billing_storage_levels x
                 WHERE x.user_id = :org_id AND x.effective_from <= :from),
                '-infinity'::timestamptz)
          ORDER BY l.effective_from""");

  // the records of each session in [from, to): by the records' key, a range of slice starts;
  // its hibernated time's cost nothing and hold nothing: live cost leaves them out (HeldSteps)
  private static final NamedSql RATED =
      NamedSql.of(
          """
          SELECT k.session_id, r.resource_type, r.unit_price, sum(r.unit_seconds)
          FROM unnest(:ids::text[], :froms::text[]::timestamptz[], :tos::text[]::timestamptz[])
               AS k(session_id, from_t, to_t)
          JOIN billing_usage_records r
            ON r.user_id = :org_id AND r.slice_start >= k.from_t AND r.slice_start < k.to_t
           AND r.session_id = k.session_id AND r.activity <> 'hibernated'
          GROUP BY k.session_id, r.resource_type, r.unit_price""");

  // whether the organization keeps a prepaid balance, and whether the period before the current
  // one is not invoiced yet (no invoice but drafts and voids ends by the current period's start
  // or later): what that period cost and did not burn weighs on the balance until it is
  private static final NamedSql PREPAID =
      NamedSql.of(
          """
          SELECT EXISTS (SELECT 1 FROM billing_prepaid_balances b WHERE b.org_id = :org_id),
                 NOT EXISTS (SELECT 1 FROM billing_invoices i
                             WHERE i.user_id = :org_id AND i.period_end >= :period_start
                               AND i.status NOT IN ('draft', 'void'))""");

  private record Account(Currency currency, Instant closedAt, Instant storageFrom) {}

  private final DataSource dataSource;
  private final InvoiceCalculator calculator;
  private final SpendingLimits spending;
  private final BalanceSource balances;
  private final MemberBudgets budgets;
  private final Supplier<BillingConfig> config;

  LiveBasisReads(
      DataSource dataSource,
      InvoiceCalculator calculator,
      SpendingLimits spending,
      BalanceSource balances,
      MemberBudgets budgets,
      Supplier<BillingConfig> config) {
    this.dataSource = dataSource;
    this.calculator = calculator;
    this.spending = spending;
    this.balances = balances;
    this.budgets = budgets;
    this.config = config;
  }

  /**
   * The organization's basis at {@code now}, its running sessions' rated usage carried over from
   * {@code known} (the last read's); empty when it has no billing account.
   */
  Optional<Read> read(String orgId, Instant now, Map<String, RatedSoFar> known)
      throws SQLException {
    BillingConfig current = config.get();
    Account account;
    PeriodSoFar period;
    PeriodSoFar before = null;
    BigDecimal credits = BigDecimal.ZERO;
    Map<UsageUnit, BigDecimal> prices;
    List<UnratedSession> sessions;
    HeldSteps storage;
    Map<String, RatedSoFar> rated;
    try (Connection connection = dataSource.getConnection()) {
      boolean autoCommit = connection.getAutoCommit();
      connection.setAutoCommit(false);
      try {
        try (Statement statement = connection.createStatement()) {
          statement.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        }
        Optional<Account> found = account(connection, orgId);
        if (found.isEmpty()) {
          return Optional.empty();
        }
        account = found.get();
        period = calculator.periodSoFar(connection, orgId, account.currency(), now);
        boolean[] prepaid = prepaid(connection, orgId, period.start());
        if (prepaid[0]) { // what its invoices take of the balance: what their credits leave
          credits = credits(connection, orgId, account.currency(), now);
          before =
              prepaid[1]
                  ? calculator.periodSoFar(
                      connection, orgId, account.currency(), period.start().minusNanos(1))
                  : null;
        }
        prices = UnitPrices.of(current, account.currency()).orElse(Map.of());
        Map<String, Instant> ratedUntil = new LinkedHashMap<>();
        sessions = sessions(connection, orgId, prices, current.activityRates(), ratedUntil);
        storage =
            account.storageFrom() == null
                ? HeldSteps.NONE
                : storage(connection, orgId, account.storageFrom());
        rated = rated(connection, orgId, period.start(), ratedUntil, known);
      } finally {
        connection.rollback(); // nothing was written: ends the read-only transaction
        connection.setAutoCommit(autoCommit);
      }
    }
    Map<String, List<UsageBucket>> ratedUsage = new LinkedHashMap<>();
    rated.forEach((id, soFar) -> ratedUsage.put(id, soFar.usage()));
    return Optional.of(
        new Read(
            new LiveBasis(
                orgId,
                now,
                period,
                before,
                credits,
                prices,
                sessions,
                storage,
                account.storageFrom(),
                ratedUsage,
                account.closedAt(),
                current.sessionHeartbeatTimeout(),
                spending.limitOf(orgId).orElse(null),
                balances
                    .read(orgId, account.currency(), period.start(), previousStart(period, current))
                    .orElse(null),
                budgets.of(orgId, account.currency())),
            rated));
  }

  /** {whether it keeps a prepaid balance, whether the period before is not invoiced}. */
  private static boolean[] prepaid(Connection connection, String orgId, Instant periodStart)
      throws SQLException {
    try (PreparedStatement statement =
            PREPAID.bind("org_id", orgId).bind("period_start", periodStart).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      return new boolean[] {rs.getBoolean(1), rs.getBoolean(2)};
    }
  }

  /** What its credits usable at {@code now} have left ({@link CreditApplier#usable}). */
  private static BigDecimal credits(
      Connection connection, String orgId, Currency currency, Instant now) throws SQLException {
    return CreditApplier.usable(
            connection,
            SqlArrays.array(connection, List.of(orgId), id -> id),
            SqlArrays.array(connection, List.of(currency), c -> c),
            now)
        .getOrDefault(orgId + ' ' + currency.getCurrencyCode(), BigDecimal.ZERO);
  }

  /** The start of the billing period before {@code period}. */
  private static Instant previousStart(PeriodSoFar period, BillingConfig config) {
    return new BillingPeriods(config.invoiceDay(), config.billingTimeZone())
        .periodStart(period.start().minusNanos(1));
  }

  private static Optional<Account> account(Connection connection, String orgId)
      throws SQLException {
    try (PreparedStatement statement = ACCOUNT.bind("org_id", orgId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      return Optional.of(
          new Account(
              Currency.getInstance(rs.getString(1).trim()),
              Sql.instant(rs.getTimestamp(2)),
              Sql.instant(rs.getTimestamp(3))));
    }
  }

  /**
   * The unsettled sessions with their steps; {@code ratedUntil} gets the watermark of each one
   * that runs (not ended) and has some of its time rated.
   */
  private static List<UnratedSession> sessions(
      Connection connection,
      String orgId,
      Map<UsageUnit, BigDecimal> prices,
      ActivityRates rates,
      Map<String, Instant> ratedUntil)
      throws SQLException {
    Map<String, UnratedSession> found = new LinkedHashMap<>();
    Map<String, Map<UsageUnit, List<HeldSteps.Step>>> steps = new LinkedHashMap<>();
    try (PreparedStatement statement = SESSIONS.bind("org_id", orgId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        String id = rs.getString(1);
        if (!found.containsKey(id)) {
          found.put(
              id,
              new UnratedSession(
                  id,
                  rs.getString(2),
                  Sql.instant(rs.getTimestamp(3)),
                  Sql.instant(rs.getTimestamp(4)),
                  Sql.instant(rs.getTimestamp(5)),
                  Sql.instant(rs.getTimestamp(6)),
                  HeldSteps.NONE));
          Instant watermark = Sql.instant(rs.getTimestamp(7));
          if (watermark != null && rs.getTimestamp(5) == null) { // rated, and running
            ratedUntil.put(id, watermark);
          }
          steps.put(id, new LinkedHashMap<>());
        }
        Instant from = Sql.instant(rs.getTimestamp(8));
        if (from != null) {
          Map<UsageUnit, List<HeldSteps.Step>> its = steps.get(id);
          its.computeIfAbsent(UsageUnit.CPU, u -> new ArrayList<>())
              .add(new HeldSteps.Step(from, rs.getBigDecimal(9)));
          its.computeIfAbsent(UsageUnit.MEMORY, u -> new ArrayList<>())
              .add(new HeldSteps.Step(from, rs.getBigDecimal(10)));
        }
      }
    }
    try (PreparedStatement statement = HELD.bind("org_id", orgId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        String id = rs.getString(1);
        String meter = rs.getString(2);
        if (!steps.containsKey(id) || UsageUnit.builtIn(meter) != null) {
          continue; // not a session read above (settled since), or no held meter's id
        }
        UsageUnit unit = UsageUnit.held(meter);
        if (prices.containsKey(unit)) {
          steps
              .get(id)
              .computeIfAbsent(unit, u -> new ArrayList<>())
              .add(new HeldSteps.Step(Sql.instant(rs.getTimestamp(3)), rs.getBigDecimal(4)));
        }
      }
    }
    Map<String, List<HeldSteps.Pause>> pauses = pauses(connection, orgId);
    List<HeldSteps.Pause> held = pauses.getOrDefault("", List.of());
    Map<String, List<HeldSteps.ActivityStep>> activity =
        rates.any() ? activity(connection, orgId) : Map.of();
    List<UnratedSession> sessions = new ArrayList<>();
    found.forEach(
        (id, s) ->
            sessions.add(
                new UnratedSession(
                    id,
                    s.userId(),
                    s.startedAt(),
                    s.from(),
                    s.endedAt(),
                    s.lastHeartbeat(),
                    new HeldSteps(steps.get(id))
                        .pausedDuring(held, pauses.getOrDefault(id, List.of()))
                        .pricedBy(
                            new HeldSteps.Activity(activity.getOrDefault(id, List.of()), rates)))));
    return sessions;
  }

  private static Map<String, List<HeldSteps.ActivityStep>> activity(
      Connection connection, String orgId) throws SQLException {
    Map<String, List<HeldSteps.ActivityStep>> steps = new LinkedHashMap<>();
    try (PreparedStatement statement = ACTIVITY.bind("org_id", orgId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        steps
            .computeIfAbsent(rs.getString(1), id -> new ArrayList<>())
            .add(new HeldSteps.ActivityStep(Sql.instant(rs.getTimestamp(2)), rs.getString(3)));
      }
    }
    return steps;
  }

  /** The pauses by session: "" the organization's holds, for all of them. */
  private static Map<String, List<HeldSteps.Pause>> pauses(Connection connection, String orgId)
      throws SQLException {
    Map<String, List<HeldSteps.Pause>> pauses = new LinkedHashMap<>();
    try (PreparedStatement statement = PAUSES.bind("org_id", orgId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        String session = rs.getString(1);
        pauses
            .computeIfAbsent(session == null ? "" : session, s -> new ArrayList<>())
            .add(
                new HeldSteps.Pause(
                    Sql.instant(rs.getTimestamp(2)), Sql.instant(rs.getTimestamp(3))));
      }
    }
    return pauses;
  }

  private static HeldSteps storage(Connection connection, String orgId, Instant from)
      throws SQLException {
    List<HeldSteps.Step> levels = new ArrayList<>();
    try (PreparedStatement statement =
            STORAGE.bind("org_id", orgId).bind("from", from).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        levels.add(new HeldSteps.Step(Sql.instant(rs.getTimestamp(1)), rs.getBigDecimal(2)));
      }
    }
    return new HeldSteps(Map.of(UsageUnit.STORAGE, levels));
  }

  /**
   * Each session's rated usage in the period that starts at {@code periodStart}, up to its
   * watermark: what {@code known} holds of it, plus its records rated since (all of them when
   * {@code known} holds none of this period, or a later watermark: one reset by hand).
   */
  private static Map<String, RatedSoFar> rated(
      Connection connection,
      String orgId,
      Instant periodStart,
      Map<String, Instant> ratedUntil,
      Map<String, RatedSoFar> known)
      throws SQLException {
    Map<String, RatedSoFar> rated = new LinkedHashMap<>();
    List<String> ids = new ArrayList<>();
    List<Instant> froms = new ArrayList<>();
    List<Instant> tos = new ArrayList<>();
    ratedUntil.forEach(
        (id, until) -> {
          RatedSoFar carried = known.get(id);
          RatedSoFar base =
              carried != null && carried.carriesTo(periodStart, until)
                  ? carried
                  : RatedSoFar.none(periodStart);
          rated.put(id, base.upTo(until));
          // the period's records only: a watermark of an earlier period carries none of them
          Instant from = base.ratedUntil().isBefore(periodStart) ? periodStart : base.ratedUntil();
          if (from.isBefore(until)) {
            ids.add(id);
            froms.add(from);
            tos.add(until);
          }
        });
    if (ids.isEmpty()) {
      return rated;
    }
    try (PreparedStatement statement =
            RATED
                .bind("org_id", orgId)
                .bind("ids", SqlArrays.array(connection, ids, id -> id))
                .bind("froms", SqlArrays.array(connection, froms, at -> at))
                .bind("tos", SqlArrays.array(connection, tos, at -> at))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        String id = rs.getString(1);
        rated.put(
            id,
            rated
                .get(id)
                .plus(
                    UsageUnit.ofResourceType(rs.getString(2)),
                    rs.getBigDecimal(3),
                    rs.getBigDecimal(4)));
      }
    }
    return rated;
  }
}
