package io.streamspace.billing.admission;

import io.streamspace.billing.caps.MemberCaps;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.packs.PackPurchaseRepository;
import io.streamspace.common.db.Sql;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Currency;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * The use of some accounts as the database holds it, in one statement, their pack purchases in
 * a second and their members' caps and memberships in a third and fourth (in the same
 * snapshot), and which of the usage reports this node holds are in it (in the same snapshot).
 * Which accounts: those named, and, for a reload, every account with an open session (so the
 * organization of every open session is known to heartbeats that name none). A reload of many
 * accounts reads them in slices, still in the one snapshot, pausing between two
 * ({@link #loadInSlices}).
 */
final class StoredUseQuery {

  /**
   * What was loaded.
   *
   * @param accounts the accounts the database holds, of those asked for (one named and not
   *     stored is not among them)
   * @param storedReports the ids, of those asked about, whose reports the counters hold
   */
  record Loaded(Map<String, StoredUse> accounts, Set<String> storedReports) {}

  // the accounts to load: those named (the view's, or the one an admission asks about) and,
  // when :with_open, each with an open session (billing_sessions_open)
  private static final String WANTED =
      """
      SELECT unnest(:ids::text[]) AS user_id
      UNION
      SELECT org_id FROM billing_sessions
      WHERE :with_open AND ended_at IS NULL AND last_heartbeat >= :stale_before
      """;

  // a load in slices: the accounts to load, each with its slice, once for all the slices (the
  // transaction's end drops the table); analyzed, so that a slice's rows are known to the planner
  private static final NamedSql SLICED =
      NamedSql.of(
          "CREATE TEMP TABLE admission_wanted ON COMMIT DROP AS SELECT user_id,"
              + " mod(hashtext(user_id)::bigint + 2147483648, :slices)::int AS slice FROM ("
              + WANTED
              + ") w");

  private static final NamedSql ANALYZE_SLICED = NamedSql.of("ANALYZE admission_wanted");

  private static final NamedSql ALL = NamedSql.of("WITH wanted AS (" + WANTED + ")" + use());

  private static final NamedSql SLICE =
      NamedSql.of(
          "WITH wanted AS (SELECT user_id FROM admission_wanted WHERE slice = :slice)" + use());

  /** What is read of the accounts {@code wanted} names, whole or a slice at a time. */
  private static String use() {
    return """

          -- one row per open session, or one row without a session for an account with none;
          -- the plan is the active subscription's (none yet: the default plan applies), the
          -- storage level the last reported, the counters and confirmations of the period
          SELECT a.user_id, a.currency, p.plan_id, p.plan_version, a.personal, sl.seat_limit,
                 coalesce(l.storage_gb, 0) AS storage_gb,
                 s.session_id, s.user_id AS member, z.cpu_cores, z.memory_gb,
                 coalesce(h.held_meters, '{}') AS held_meters,
                 coalesce(h.held_amounts, '{}') AS held_amounts,
                 coalesce(r.counter_meters, '{}') AS counter_meters,
                 coalesce(r.counter_totals, '{}') AS counter_totals,
                 coalesce(f.confirmed, '{}') AS confirmed
          FROM wanted w
          JOIN billing_accounts a ON a.user_id = w.user_id
          LEFT JOIN billing_subscriptions p ON p.user_id = a.user_id AND p.ended_at IS NULL
          LEFT JOIN billing_seat_limits sl ON sl.org_id = a.user_id
          LEFT JOIN LATERAL (
            SELECT storage_gb FROM billing_storage_levels l WHERE l.user_id = a.user_id
            ORDER BY effective_from DESC LIMIT 1) l ON true
          -- open: not ended, and not timed out (calculate-usage ends it at its last heartbeat);
          -- settled or not: a closed organization's running session is settled once rated up
          -- to the closing (AdmissionReloadTest), and billing_sessions_open holds only the
          -- sessions not ended already
          LEFT JOIN billing_sessions s ON s.org_id = a.user_id AND s.ended_at IS NULL
            AND s.last_heartbeat >= :stale_before
          LEFT JOIN LATERAL (
            SELECT cpu_cores, memory_gb FROM billing_session_sizes z
            WHERE z.session_id = s.session_id
            ORDER BY effective_from DESC LIMIT 1) z ON true
          -- what it holds of each held meter: per meter its latest amount, those above 0 (the
          -- primary key's order: one index range per session)
          LEFT JOIN LATERAL (
            SELECT array_agg(hz.meter_id ORDER BY hz.meter_id) AS held_meters,
                   array_agg(hz.amount ORDER BY hz.meter_id) AS held_amounts
            FROM (
              SELECT DISTINCT ON (hz.meter_id) hz.meter_id, hz.amount
              FROM billing_session_held hz
              WHERE hz.session_id = s.session_id
              ORDER BY hz.meter_id, hz.effective_from DESC) hz
            WHERE hz.amount > 0) h ON true
          -- each counter reported this period: the sum of its reports, or the largest for a
          -- counter of :max_meters
          LEFT JOIN (
            SELECT org_id, array_agg(meter ORDER BY meter) AS counter_meters,
                   array_agg(total ORDER BY meter) AS counter_totals
            FROM (
              SELECT org_id, meter,
                     CASE WHEN meter = ANY(:max_meters::text[]) THEN max(quantity)
                          ELSE sum(quantity) END AS total
              FROM billing_usage_reports
              WHERE occurred_at >= :period_start AND occurred_at < :period_end
                AND org_id IN (SELECT user_id FROM wanted)
              GROUP BY org_id, meter) t
            GROUP BY org_id) r ON r.org_id = a.user_id
          LEFT JOIN (
            SELECT user_id, array_agg(meter) AS confirmed
            FROM billing_overage_confirmations
            WHERE period_start = :period_start AND user_id IN (SELECT user_id FROM wanted)
            GROUP BY user_id) f ON f.user_id = a.user_id
          """;
  }

  /**
   * The pack purchases not ended at :now (one-time: not expired; recurring: not cancelled), each
   * over its grant as {@code PackGrant.of} makes it: a Checkout payment refunded at Stripe ends
   * what it bought at the refund, leaving its renewals' validity ending after that, if any.
   */
  private static final NamedSql PACKS =
      NamedSql.of(
          """
          SELECT user_id, id, adds::text, grant_from, grant_until
          FROM (SELECT p.user_id, p.id, p.adds,
                       CASE WHEN r.renewed_from IS NULL THEN p.valid_from
                            ELSE greatest(p.valid_from, r.renewed_from) END AS grant_from,
                       CASE WHEN r.renewed_from IS NULL AND p.refunded_at
                                 < coalesce(p.valid_until, p.cancelled_at, 'infinity')
                            THEN p.refunded_at
                            ELSE coalesce(p.valid_until, p.cancelled_at) END AS grant_until
                FROM billing_pack_purchases p
                LEFT JOIN LATERAL (
                  SELECT min(e.valid_from) AS renewed_from FROM billing_pack_events e
                  WHERE p.refunded_at IS NOT NULL AND e.purchase_id = p.id
                    AND e.kind = 'renewed' AND e.valid_until > p.refunded_at) r ON true
                WHERE p.user_id = ANY(:ids::text[])) g
          WHERE grant_until IS NULL OR grant_until > :now""");

  /**
   * Each team organization's latest membership event of each user (billing_memberships' rule,
   * removals kept: a removal stored must win over an older addition seen here).
   */
  private static final NamedSql MEMBERS =
      NamedSql.of(
          """
          SELECT DISTINCT ON (e.org_id, e.user_id)
                 e.org_id, e.user_id, e.role IS NOT NULL, e.occurred_at, e.event_id
          FROM billing_org_events e
          JOIN billing_accounts a ON a.user_id = e.org_id AND NOT a.personal
          WHERE e.org_id = ANY(:ids::text[])
            AND e.user_id IS NOT NULL AND e.refused IS NULL -- a refused event applies to none
          ORDER BY e.org_id, e.user_id, e.occurred_at DESC, e.event_id DESC""");

  private static final NamedSql STORED_REPORTS =
      NamedSql.of("SELECT event_id FROM billing_usage_reports WHERE event_id = ANY(:ids::text[])");

  private final DataSource dataSource;

  StoredUseQuery(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Waits between two slices of a load. */
  @FunctionalInterface
  interface SlicePause {
    /** Waits after a slice that took {@code took}. */
    void after(Duration took) throws InterruptedException;
  }

  /**
   * What a load reads the accounts' use as of.
   *
   * @param now the packs ended before it are not loaded
   * @param staleBefore sessions whose last heartbeat is older are no longer open
   * @param periodStart the current billing period, whose reports and confirmations count
   * @param maxMeters the counters whose use is their largest report of the period, not the sum
   */
  record AsOf(
      Instant now,
      Instant staleBefore,
      Instant periodStart,
      Instant periodEnd,
      String[] maxMeters) {}

  /**
   * The use of the accounts named (and, with {@code withOpenSessions}, of every account with an
   * open session) in one snapshot, read whole.
   *
   * @param orgIds the accounts to load (more with {@code withOpenSessions})
   * @param withOpenSessions whether every account with an open session is loaded too
   * @param reportIds the usage reports to tell whether the counters hold, asked for once the
   *     snapshot is taken: a report stored before it is then among them (it was handed to
   *     admission before it was stored), so a report the counters hold is never missed
   */
  Loaded load(
      Set<String> orgIds, boolean withOpenSessions, AsOf asOf, Supplier<Set<String>> reportIds)
      throws SQLException {
    return this.<RuntimeException>inSnapshot(
        reportIds,
        (connection, byAccount, shared) ->
            readAccounts(
                connection,
                ALL.bind("ids", orgIds.toArray(String[]::new)).bind("with_open", withOpenSessions),
                asOf,
                byAccount,
                shared));
  }

  /**
   * {@link #load}, its reads cut into {@code slices} slices of the accounts, all in the one
   * snapshot, with a pause {@code between} two: the server's work spread over the reload rather
   * than one burst beside intake. One slice is {@link #load} itself (no table of slices).
   *
   * @throws InterruptedException when a pause is interrupted (nothing is loaded)
   */
  Loaded loadInSlices(
      Set<String> orgIds,
      boolean withOpenSessions,
      AsOf asOf,
      Supplier<Set<String>> reportIds,
      int slices,
      SlicePause between)
      throws SQLException, InterruptedException {
    if (slices == 1) {
      return load(orgIds, withOpenSessions, asOf, reportIds);
    }
    return this.<InterruptedException>inSnapshot(
        reportIds,
        (connection, byAccount, shared) -> {
          SLICED
              .bind("ids", orgIds.toArray(String[]::new))
              .bind("with_open", withOpenSessions)
              .bind("stale_before", asOf.staleBefore())
              .bind("slices", slices)
              .update(connection);
          ANALYZE_SLICED.update(connection);
          for (int slice = 0; slice < slices; slice++) {
            long began = System.nanoTime(); // an elapsed time, not an instant: no clock reads it
            readAccounts(connection, SLICE.bind("slice", slice), asOf, byAccount, shared);
            if (slice + 1 < slices) {
              between.after(Duration.ofNanos(System.nanoTime() - began));
            }
          }
        });
  }

  /** The reads of the accounts, in a load's snapshot. */
  @FunctionalInterface
  private interface Reads<E extends Exception> {
    void read(Connection connection, Map<String, StoredUse> byAccount, Map<Object, Object> shared)
        throws SQLException, E;
  }

  /** Runs {@code reads} in one snapshot, then tells which of the reports asked about it holds. */
  private <E extends Exception> Loaded inSnapshot(Supplier<Set<String>> reportIds, Reads<E> reads)
      throws SQLException, E {
    Map<String, StoredUse> byAccount = new HashMap<>();
    Map<Object, Object> shared = new HashMap<>();
    Set<String> storedReports = new HashSet<>();
    try (Connection connection = dataSource.getConnection()) {
      int isolation = connection.getTransactionIsolation();
      connection.setAutoCommit(false); // a fetch size streams rows only inside a transaction
      // one snapshot: a report is in the counters exactly when its id is found
      connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      try {
        reads.read(connection, byAccount, shared);
        Set<String> asked = reportIds.get(); // after the first statement took the snapshot
        if (!asked.isEmpty()) {
          try (PreparedStatement statement =
                  STORED_REPORTS.bind("ids", asked.toArray(String[]::new)).prepare(connection);
              ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
              storedReports.add(rows.getString(1));
            }
          }
        }
      } finally {
        connection.rollback(); // and with it the slices' table
        connection.setAutoCommit(true);
        connection.setTransactionIsolation(isolation);
      }
    }
    return new Loaded(byAccount, storedReports);
  }

  /**
   * Reads the accounts {@code wanted} names (the parameters of {@code asOf} still to bind), then
   * their pack purchases, their members' caps and their memberships, into {@code byAccount}.
   */
  private static void readAccounts(
      Connection connection,
      NamedSql.Binding wanted,
      AsOf asOf,
      Map<String, StoredUse> byAccount,
      Map<Object, Object> shared)
      throws SQLException {
    Map<String, StoredUse> read = new HashMap<>();
    try (PreparedStatement statement =
        wanted
            .bind("stale_before", asOf.staleBefore())
            .bind("period_start", asOf.periodStart())
            .bind("period_end", asOf.periodEnd())
            .bind("max_meters", asOf.maxMeters())
            .prepare(connection)) {
      statement.setFetchSize(10_000);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          read(rows, read, shared);
        }
      }
    }
    String[] loaded = read.keySet().toArray(String[]::new);
    try (PreparedStatement statement =
            PACKS.bind("ids", loaded).bind("now", asOf.now()).prepare(connection);
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        StoredUse use = read.get(rows.getString(1));
        if (use != null) {
          use.packs().put(rows.getLong(2), grant(rows));
        }
      }
    }
    MemberCaps.ofOrganizations(connection, loaded)
        .forEach(
            (orgId, caps) -> {
              StoredUse use = read.get(orgId);
              if (use != null) {
                use.memberCaps().putAll(caps);
              }
            });
    try (PreparedStatement statement = MEMBERS.bind("ids", loaded).prepare(connection)) {
      statement.setFetchSize(10_000);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          StoredUse use = read.get(rows.getString(1));
          if (use != null) {
            use.members()
                .put(
                    rows.getString(2),
                    new MemberEvent(
                        Sql.instant(rows.getTimestamp(4)),
                        rows.getString(5),
                        rows.getBoolean(3),
                        null));
          }
        }
      }
    }
    byAccount.putAll(read);
  }

  private static PackGrant grant(ResultSet row) throws SQLException {
    return new PackGrant(
        PackPurchaseRepository.meters(row.getString(3)),
        Sql.instant(row.getTimestamp(4)),
        Sql.instant(row.getTimestamp(5)));
  }

  /** Two parallel array columns (meter ids, amounts) as a map: the shared empty one if none. */
  private static Map<String, BigDecimal> byMeter(ResultSet row, String ids, String amounts)
      throws SQLException {
    String[] meters = (String[]) row.getArray(ids).getArray();
    if (meters.length == 0) {
      return Map.of();
    }
    BigDecimal[] values = (BigDecimal[]) row.getArray(amounts).getArray();
    Map<String, BigDecimal> byMeter = new LinkedHashMap<>();
    for (int i = 0; i < meters.length; i++) {
      byMeter.put(meters[i], values[i]);
    }
    return byMeter;
  }

  /**
   * Adds one row to its account; {@code shared} gives each plan (and version) and session size (its
   * held amounts included) read one instance for all the accounts and sessions that have it (most
   * sessions have one of a few sizes): the view holds what is read, and a copy of each would cost
   * every session about 100 bytes.
   */
  private static void read(
      ResultSet row, Map<String, StoredUse> byAccount, Map<Object, Object> shared)
      throws SQLException {
    String orgId = row.getString("user_id"); // the organization's id keys the account
    StoredUse use = byAccount.get(orgId);
    if (use == null) {
      Map<Meter, BigDecimal> counters = new LinkedHashMap<>();
      byMeter(row, "counter_meters", "counter_totals")
          .forEach((meter, total) -> counters.put(Meter.of(meter), total));
      Set<Meter> confirmed = new LinkedHashSet<>();
      for (String name : (String[]) row.getArray("confirmed").getArray()) {
        confirmed.add(Meter.of(name));
      }
      String planId = row.getString("plan_id");
      TermPlan plan = planId == null ? null : new TermPlan(planId, row.getInt("plan_version"));
      use =
          new StoredUse(
              plan == null ? null : (TermPlan) shared.computeIfAbsent(plan, p -> p),
              Currency.getInstance(row.getString("currency")),
              row.getBigDecimal("storage_gb"),
              new HashMap<>(),
              counters.isEmpty() ? Map.of() : counters,
              confirmed,
              new HashMap<>(),
              new HashMap<>(),
              new HashMap<>(),
              row.getBoolean("personal"),
              (Integer) row.getObject("seat_limit"),
              new HashMap<>());
      byAccount.put(orgId, use);
    }
    String sessionId = row.getString("session_id");
    if (sessionId != null) {
      BigDecimal cores = row.getBigDecimal("cpu_cores");
      Map<String, BigDecimal> held = byMeter(row, "held_meters", "held_amounts");
      use.openSessions()
          .put(
              sessionId,
              cores == null && held.isEmpty()
                  ? SessionSize.NONE
                  : (SessionSize)
                      shared.computeIfAbsent(
                          new SessionSize(
                              cores == null ? BigDecimal.ZERO : cores,
                              cores == null ? BigDecimal.ZERO : row.getBigDecimal("memory_gb"),
                              held),
                          z -> z));
      String member = row.getString("member");
      if (!member.equals(orgId)) {
        use.sessionMembers().put(sessionId, member);
      }
    }
  }
}
