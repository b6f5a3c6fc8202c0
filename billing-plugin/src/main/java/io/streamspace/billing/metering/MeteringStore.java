package io.streamspace.billing.metering;

import io.streamspace.billing.metering.MeteringBatch.AccountRow;
import io.streamspace.billing.metering.MeteringBatch.SessionRow;
import io.streamspace.billing.metering.MeteringBatch.SizeRow;
import io.streamspace.billing.metering.MeteringBatch.StorageRow;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.config.SubscriptionPlan;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Stores a {@link MeteringBatch} in one transaction with one statement per kind of row. Each
 * statement applies the batch's merges against what is stored (insert-if-absent, least/greatest),
 * so storing the same batch twice changes nothing.
 */
public final class MeteringStore {

  // Opens the accounts not yet known and starts each on its plan, in the same statement: the
  // database requires every account to have exactly one active subscription (V2). The plan's
  // terms are copied from the config as it is now, priced in the account's currency (one row
  // per plan and currency), so a later change to the plan does not rewrite them. DO NOTHING,
  // not DO UPDATE: PostgreSQL locks every conflicting row for DO UPDATE even when its WHERE is
  // false, so each flush would lock the account of every active user before their sessions,
  // the opposite order to calculate-usage (sessions, then the storage watermark): deadlocks.
  // RETURNING then gives exactly the rows inserted.
  private static final String OPEN_ACCOUNTS = """
      WITH batch AS (
        SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[]::timestamptz[])
          AS b(user_id, email, currency, plan_id, created_at)
      ), opened AS (
        INSERT INTO billing_accounts (user_id, email, currency, created_at)
        SELECT user_id, email, currency, created_at FROM batch
        ON CONFLICT (user_id) DO NOTHING
        RETURNING user_id
      )
      INSERT INTO billing_subscriptions (user_id, plan_id, plan_name, price, currency,
          billing_interval, cpu_limit, memory_limit, storage_limit, started_at)
      SELECT b.user_id, p.id, p.name, p.price, b.currency, p.billing_interval,
             p.cpu_limit, p.memory_limit, p.storage_limit, b.created_at
      FROM opened o
      JOIN batch b USING (user_id)
      JOIN unnest(?::text[], ?::text[], ?::text[], ?::text[]::numeric[], ?::text[],
                  ?::text[]::numeric[], ?::text[]::numeric[], ?::text[]::numeric[])
        AS p(id, currency, name, price, billing_interval, cpu_limit, memory_limit, storage_limit)
        ON p.id = b.plan_id AND p.currency = b.currency
      """;

  // An account opened by a session event has no email until its user.created arrives. Bound
  // only with the batch's rows that carry an email, and run after the session rows, so that it
  // locks (rarely) account rows after session rows, as calculate-usage does.
  private static final String COMPLETE_EMAILS = """
      UPDATE billing_accounts a SET email = b.email
      FROM unnest(?::text[], ?::text[]) AS b(user_id, email)
      WHERE a.user_id = b.user_id AND a.email IS NULL AND b.email IS NOT NULL
      """;

  // An account starts at the earliest instant any of its events shows, whatever the order of
  // delivery: a batch with an earlier event than the account's start moves it back, and the
  // first plan term (the plan it opened on) with it, even after a plan change: the account was
  // on that plan from its start until the change, which keeps its instant. The UPDATE locks
  // only the accounts that move (rare); run after the session rows, as COMPLETE_EMAILS.
  private static final String START_ACCOUNTS_EARLIER = """
      WITH moved AS (
        UPDATE billing_accounts a SET created_at = b.created_at
        FROM unnest(?::text[], ?::text[]::timestamptz[]) AS b(user_id, created_at)
        WHERE a.user_id = b.user_id AND b.created_at < a.created_at
        RETURNING a.user_id, a.created_at
      )
      UPDATE billing_subscriptions s SET started_at = m.created_at
      FROM moved m
      WHERE s.id = (SELECT f.id FROM billing_subscriptions f WHERE f.user_id = m.user_id
                    ORDER BY f.started_at, f.id LIMIT 1)
      """;

  // LEAST and GREATEST skip nulls: the first terminate in event time wins, a later heartbeat
  // never reopens a session, and an earlier event moves the start back.
  private static final String UPSERT_SESSIONS = """
      INSERT INTO billing_sessions AS s
        (session_id, user_id, started_at, last_heartbeat, ended_at, end_reason)
      SELECT e.session_id, e.user_id, e.first_seen, e.last_seen, e.ended_at,
             CASE WHEN e.ended_at IS NOT NULL THEN 'terminated' END
      FROM unnest(?::text[], ?::text[], ?::text[]::timestamptz[], ?::text[]::timestamptz[],
                  ?::text[]::timestamptz[]) AS e(session_id, user_id, first_seen, last_seen, ended_at)
      ON CONFLICT (session_id) DO UPDATE SET
        started_at = least(s.started_at, excluded.started_at),
        last_heartbeat = greatest(s.last_heartbeat, excluded.last_heartbeat),
        ended_at = least(s.ended_at, excluded.ended_at),
        end_reason = CASE WHEN excluded.ended_at < coalesce(s.ended_at, 'infinity')
                          THEN excluded.end_reason ELSE s.end_reason END
      """;

  private static final String INSERT_SIZES = """
      INSERT INTO billing_session_sizes (session_id, effective_from, cpu_cores, memory_gb)
      SELECT * FROM unnest(?::text[], ?::text[]::timestamptz[], ?::text[]::numeric[],
                           ?::text[]::numeric[])
      ON CONFLICT DO NOTHING
      """;

  private static final String INSERT_STORAGE_LEVELS = """
      INSERT INTO billing_storage_levels (user_id, effective_from, storage_gb)
      SELECT * FROM unnest(?::text[], ?::text[]::timestamptz[], ?::text[]::numeric[])
      ON CONFLICT DO NOTHING
      """;

  /** A plan with its price in one supported currency. */
  private record PricedPlan(SubscriptionPlan plan, String currency, BigDecimal price) {}

  private final DataSource dataSource;
  private final Supplier<BillingConfig> config;

  /** @param config the config in effect, for the terms of the plans new accounts start on */
  public MeteringStore(DataSource dataSource, Supplier<BillingConfig> config) {
    this.dataSource = dataSource;
    this.config = config;
  }

  /** Writes the batch atomically: all of it or, on failure, nothing. */
  public void write(MeteringBatch batch) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        openAccounts(connection, batch.accounts()); // before the rows that refer to them
        execute(connection, UPSERT_SESSIONS, batch.sessions(), List.of(
            SessionRow::sessionId, SessionRow::userId, SessionRow::firstSeen,
            SessionRow::lastSeen, SessionRow::endedAt));
        execute(connection, INSERT_SIZES, batch.sizes(), List.of(
            SizeRow::sessionId, SizeRow::effectiveFrom, SizeRow::cpuCores, SizeRow::memoryGb));
        execute(connection, INSERT_STORAGE_LEVELS, batch.storageLevels(), List.of(
            StorageRow::userId, StorageRow::effectiveFrom, StorageRow::storageGb));
        execute(connection, COMPLETE_EMAILS,
            batch.accounts().stream().filter(a -> a.email() != null).toList(),
            List.of(AccountRow::userId, AccountRow::email));
        execute(connection, START_ACCOUNTS_EARLIER, batch.accounts(),
            List.of(AccountRow::userId, AccountRow::createdAt));
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    }
  }

  private void openAccounts(Connection connection, List<AccountRow> accounts)
      throws SQLException {
    if (accounts.isEmpty()) {
      return;
    }
    BillingConfig current = config.get();
    // a plan or currency removed from the config since the event was queued: open on the
    // default plan, in the default currency
    List<AccountRow> onKnownPlans = accounts.stream()
        .map(a -> new AccountRow(a.userId(), a.email(),
            current.supportedCurrency(a.currency()).isPresent() ? a.currency()
                : current.currency().getCurrencyCode(),
            current.hasPlan(a.planId()) ? a.planId() : current.defaultPlan(),
            a.createdAt()))
        .toList();
    List<PricedPlan> plans = current.subscriptionPlans().stream()
        .flatMap(plan -> current.supportedCurrencies().stream().map(in ->
            new PricedPlan(plan, in.getCurrencyCode(), current.priceOf(plan, in).orElseThrow())))
        .toList();
    try (PreparedStatement statement = connection.prepareStatement(OPEN_ACCOUNTS)) {
      int index = bindColumns(statement, 1, onKnownPlans, List.of(
          AccountRow::userId, AccountRow::email, AccountRow::currency, AccountRow::planId,
          AccountRow::createdAt));
      bindColumns(statement, index, plans, List.of(
          p -> p.plan().id(), PricedPlan::currency, p -> p.plan().name(), PricedPlan::price,
          p -> p.plan().interval(), p -> p.plan().cpuLimit(), p -> p.plan().memoryLimit(),
          p -> p.plan().storageLimit()));
      statement.executeUpdate();
    }
  }

  private static <R> void execute(Connection connection, String sql, List<R> rows,
      List<Function<R, ?>> columns) throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      bindColumns(statement, 1, rows, columns);
      statement.executeUpdate();
    }
  }

  /** Binds each column as one array parameter from {@code first} on; returns the next index. */
  private static <R> int bindColumns(PreparedStatement statement, int first, List<R> rows,
      List<Function<R, ?>> columns) throws SQLException {
    for (Function<R, ?> column : columns) {
      SqlArrays.bind(statement, first++, rows, column);
    }
    return first;
  }
}
