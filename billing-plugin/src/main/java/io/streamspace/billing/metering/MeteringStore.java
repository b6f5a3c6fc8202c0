package io.streamspace.billing.metering;

import io.streamspace.billing.account.AccountTermsLock;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.config.SubscriptionPlan;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.db.Transactions;
import io.streamspace.billing.metering.MeteringBatch.AccountRow;
import io.streamspace.billing.metering.MeteringBatch.SessionRow;
import io.streamspace.billing.metering.MeteringBatch.SizeRow;
import io.streamspace.billing.metering.MeteringBatch.StorageRow;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores a {@link MeteringBatch} in one transaction with one statement per kind of row. Each
 * statement applies the batch's merges against what is stored (insert-if-absent, least/greatest),
 * so storing the same batch twice changes nothing.
 */
public final class MeteringStore {

  // The configured plans with their terms in each supported currency, one row per plan and
  // currency, as a table p.
  private static final String PLANS =
      """
      unnest(?::text[], ?::text[], ?::text[], ?::text[]::numeric[], ?::text[],
             ?::text[]::numeric[], ?::text[]::numeric[], ?::text[]::numeric[])
        AS p(id, currency, name, price, billing_interval,
             cpu_limit, memory_limit, storage_limit)""";

  // Opens the accounts not yet known and starts each on its plan, in the same statement: the
  // database requires every account to have exactly one active subscription (V2). The plan's
  // terms are copied from the config as it is now, priced in the account's currency (one row
  // per plan and currency), so a later change to the plan does not rewrite them. DO NOTHING,
  // not DO UPDATE: PostgreSQL locks every conflicting row for DO UPDATE even when its WHERE is
  // false, so each flush would lock the account of every active user before their sessions,
  // the opposite order to calculate-usage (sessions, then the storage watermark): deadlocks.
  // RETURNING then gives exactly the rows inserted.
  private static final String OPEN_ACCOUNTS =
      """
      WITH batch AS (
        SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[]::timestamptz[],
                             ?::text[]::timestamptz[])
          AS b(user_id, email, currency, plan_id, created_at, user_created_at)
      ), opened AS (
        INSERT INTO billing_accounts (user_id, email, currency, created_at, user_created_at)
        SELECT user_id, email, currency, created_at, user_created_at FROM batch
        ON CONFLICT (user_id) DO NOTHING
        RETURNING user_id
      )
      INSERT INTO billing_subscriptions (user_id, plan_id, plan_name, price, currency,
          billing_interval, cpu_limit, memory_limit, storage_limit, started_at)
      SELECT b.user_id, p.id, p.name, p.price, b.currency, p.billing_interval,
             p.cpu_limit, p.memory_limit, p.storage_limit, b.created_at
      FROM opened o
      JOIN batch b USING (user_id)
      JOIN %s ON p.id = b.plan_id AND p.currency = b.currency
      """
          .formatted(PLANS);

  // An account opened by a session event has no email until its user.created arrives. Bound
  // only with the batch's rows that carry an email, and run after the session rows, so that it
  // locks (rarely) account rows after session rows, as calculate-usage does.
  private static final String COMPLETE_EMAILS =
      """
      UPDATE billing_accounts a SET email = b.email
      FROM unnest(?::text[], ?::text[]) AS b(user_id, email)
      WHERE a.user_id = b.user_id AND a.email IS NULL AND b.email IS NOT NULL
      """;

  // An account starts at the earliest instant any of its events shows, whatever the order of
  // delivery: a batch with an earlier event than the account's start moves it back, and the
  // first plan term (the plan it opened on) with it, even after a plan change: the account was
  // on that plan from its start until the change, which keeps its instant. The UPDATE locks
  // only the accounts that move (rare); run after the session rows, as COMPLETE_EMAILS.
  private static final String START_ACCOUNTS_EARLIER =
      """
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

  // A user.created for an account a session event opened on the defaults (user_created_at
  // null) makes the account what it would be had the user.created come first: its currency and
  // plan, the opening term re-priced in place (same started_at, the account's start), provided
  // nothing has been billed from the defaults yet. Billed means: a usage record was rated for
  // the account, an invoice (of any status) or a credit exists for it, or its plan was changed
  // (a term has ended). Then the account keeps its terms, since re-pricing rated, invoiced or
  // granted money silently would be worse, and the store logs what was ignored. Either way the
  // account is marked as having met its user.created, so a redelivery changes nothing.
  //
  // The account rows are locked first (CLAIM), then the term, then the account updated: the
  // order START_ACCOUNTS_EARLIER uses. The batch holds AccountTermsLock exclusively from its
  // start, so this statement, whose snapshot is taken after the jobs that price with the old
  // currency committed, sees what they rated or invoiced, and they see the new currency. A
  // plan change racing the re-pricing of the term waits for it, then finds its currency
  // changed and is refused (SubscriptionRepository.END); if it ended the term first, the
  // account keeps its terms.
  private static final String AWAITING_USER_CREATED =
      """
      SELECT pg_advisory_xact_lock(?) WHERE EXISTS (
        SELECT 1 FROM billing_accounts
        WHERE user_id = ANY (?::text[]) AND user_created_at IS NULL)
      """;

  private static final String CLAIM_AWAITING =
      """
      SELECT user_id FROM billing_accounts
      WHERE user_id = ANY (?::text[]) AND user_created_at IS NULL
      ORDER BY user_id FOR NO KEY UPDATE
      """;

  private static final String ADOPT_USER_CREATED =
      """
      WITH batch AS (
        SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[]::timestamptz[])
          AS b(user_id, currency, plan_id, user_created_at)
      ), waiting AS (
        SELECT b.*, a.currency::text AS opened_currency, s.id AS term_id,
               s.plan_id AS opened_plan,
               EXISTS (SELECT 1 FROM billing_usage_records r WHERE r.user_id = b.user_id)
                 AS rated,
               EXISTS (SELECT 1 FROM billing_invoices i WHERE i.user_id = b.user_id)
                 AS invoiced,
               EXISTS (SELECT 1 FROM billing_credits c WHERE c.user_id = b.user_id)
                 AS credited,
               EXISTS (SELECT 1 FROM billing_subscriptions x
                       WHERE x.user_id = b.user_id AND x.ended_at IS NOT NULL) AS changed
        FROM batch b
        JOIN billing_accounts a USING (user_id)
        JOIN billing_subscriptions s ON s.user_id = a.user_id AND s.ended_at IS NULL
        WHERE a.user_created_at IS NULL
      ), adopted AS (
        UPDATE billing_subscriptions s
        SET plan_id = p.id, plan_name = p.name, price = p.price, currency = p.currency,
            billing_interval = p.billing_interval, cpu_limit = p.cpu_limit,
            memory_limit = p.memory_limit, storage_limit = p.storage_limit
        FROM waiting w JOIN %s ON p.id = w.plan_id AND p.currency = w.currency
        WHERE s.id = w.term_id AND s.ended_at IS NULL
          AND NOT (w.rated OR w.invoiced OR w.credited OR w.changed)
          AND (w.plan_id, w.currency) IS DISTINCT FROM (w.opened_plan, w.opened_currency)
        RETURNING s.user_id
      )
      UPDATE billing_accounts a
      SET user_created_at = w.user_created_at,
          currency = CASE WHEN d.user_id IS NULL THEN a.currency ELSE w.currency END
      FROM waiting w LEFT JOIN adopted d USING (user_id)
      WHERE a.user_id = w.user_id
      RETURNING a.user_id, d.user_id IS NOT NULL, w.currency, w.plan_id, w.opened_currency,
                w.opened_plan, w.rated, w.invoiced, w.credited, w.changed
      """
          .formatted(PLANS);

  // LEAST and GREATEST skip nulls: the first terminate in event time wins, a later heartbeat
  // never reopens a session, and an earlier event moves the start back.
  private static final String UPSERT_SESSIONS =
      """
      INSERT INTO billing_sessions AS s
        (session_id, user_id, started_at, last_heartbeat, ended_at, end_reason)
      SELECT e.session_id, e.user_id, e.first_seen, e.last_seen, e.ended_at,
             CASE WHEN e.ended_at IS NOT NULL THEN 'terminated' END
      FROM unnest(?::text[], ?::text[], ?::text[]::timestamptz[], ?::text[]::timestamptz[],
                  ?::text[]::timestamptz[])
        AS e(session_id, user_id, first_seen, last_seen, ended_at)
      ON CONFLICT (session_id) DO UPDATE SET
        started_at = least(s.started_at, excluded.started_at),
        last_heartbeat = greatest(s.last_heartbeat, excluded.last_heartbeat),
        ended_at = least(s.ended_at, excluded.ended_at),
        end_reason = CASE WHEN excluded.ended_at < coalesce(s.ended_at, 'infinity')
                          THEN excluded.end_reason ELSE s.end_reason END
      """;

  private static final String INSERT_SIZES =
      """
      INSERT INTO billing_session_sizes (session_id, effective_from, cpu_cores, memory_gb)
      SELECT * FROM unnest(?::text[], ?::text[]::timestamptz[], ?::text[]::numeric[],
                           ?::text[]::numeric[])
      ON CONFLICT DO NOTHING
      """;

  private static final String INSERT_STORAGE_LEVELS =
      """
      INSERT INTO billing_storage_levels (user_id, effective_from, storage_gb)
      SELECT * FROM unnest(?::text[], ?::text[]::timestamptz[], ?::text[]::numeric[])
      ON CONFLICT DO NOTHING
      """;

  /** A plan with its price in one supported currency. */
  private record PricedPlan(SubscriptionPlan plan, String currency, BigDecimal price) {}

  private static final Logger log = LoggerFactory.getLogger(MeteringStore.class);

  private final DataSource dataSource;
  private final Supplier<BillingConfig> config;

  /** @param config the config in effect, for the terms of the plans new accounts start on */
  public MeteringStore(DataSource dataSource, Supplier<BillingConfig> config) {
    this.dataSource = dataSource;
    this.config = config;
  }

  /** Writes the batch atomically: all of it or, on failure, nothing. */
  public void write(MeteringBatch batch) throws SQLException {
    BillingConfig current = config.get();
    List<AccountRow> accounts = onKnownTerms(batch.accounts(), current);
    List<AccountRow> userCreated =
        accounts.stream().filter(a -> a.userCreatedAt() != null).toList();
    List<PricedPlan> plans = pricedPlans(current);
    Transactions.inTransaction(
        dataSource,
        connection -> {
          // before any row lock: see AccountTermsLock
          boolean adopting = awaitingUserCreated(connection, userCreated);
          openAccounts(connection, accounts, plans); // before the rows that refer to them
          execute(
              connection,
              UPSERT_SESSIONS,
              batch.sessions(),
              List.of(
                  SessionRow::sessionId,
                  SessionRow::userId,
                  SessionRow::firstSeen,
                  SessionRow::lastSeen,
                  SessionRow::endedAt));
          execute(
              connection,
              INSERT_SIZES,
              batch.sizes(),
              List.of(
                  SizeRow::sessionId,
                  SizeRow::effectiveFrom,
                  SizeRow::cpuCores,
                  SizeRow::memoryGb));
          execute(
              connection,
              INSERT_STORAGE_LEVELS,
              batch.storageLevels(),
              List.of(StorageRow::userId, StorageRow::effectiveFrom, StorageRow::storageGb));
          execute(
              connection,
              COMPLETE_EMAILS,
              accounts.stream().filter(a -> a.email() != null).toList(),
              List.of(AccountRow::userId, AccountRow::email));
          execute(
              connection,
              START_ACCOUNTS_EARLIER,
              accounts,
              List.of(AccountRow::userId, AccountRow::createdAt));
          if (adopting) {
            adoptUserCreated(connection, userCreated, plans);
          }
          return null;
        });
  }

  /**
   * The rows with a plan or currency removed from the config since the event was queued on the
   * default plan, in the default currency.
   */
  private static List<AccountRow> onKnownTerms(List<AccountRow> accounts, BillingConfig current) {
    return accounts.stream()
        .map(
            a ->
                new AccountRow(
                    a.userId(),
                    a.email(),
                    current.supportedCurrency(a.currency()).isPresent()
                        ? a.currency()
                        : current.currency().getCurrencyCode(),
                    current.hasPlan(a.planId()) ? a.planId() : current.defaultPlan(),
                    a.createdAt(),
                    a.userCreatedAt()))
        .toList();
  }

  private static List<PricedPlan> pricedPlans(BillingConfig current) {
    return current.subscriptionPlans().stream()
        .flatMap(
            plan ->
                current.supportedCurrencies().stream()
                    .map(
                        in ->
                            new PricedPlan(
                                plan,
                                in.getCurrencyCode(),
                                current.priceOf(plan, in).orElseThrow())))
        .toList();
  }

  private static void openAccounts(
      Connection connection, List<AccountRow> accounts, List<PricedPlan> plans)
      throws SQLException {
    if (accounts.isEmpty()) {
      return;
    }
    try (PreparedStatement statement = connection.prepareStatement(OPEN_ACCOUNTS)) {
      int index =
          bindColumns(
              statement,
              1,
              accounts,
              List.of(
                  AccountRow::userId,
                  AccountRow::email,
                  AccountRow::currency,
                  AccountRow::planId,
                  AccountRow::createdAt,
                  AccountRow::userCreatedAt));
      bindPlans(statement, index, plans);
      statement.executeUpdate();
    }
  }

  /**
   * Whether one of the users' accounts awaits its user.created; if so, holds
   * {@link AccountTermsLock} exclusively until the transaction ends.
   */
  private static boolean awaitingUserCreated(Connection connection, List<AccountRow> userCreated)
      throws SQLException {
    if (userCreated.isEmpty()) {
      return false;
    }
    try (PreparedStatement statement = connection.prepareStatement(AWAITING_USER_CREATED)) {
      statement.setLong(1, AccountTermsLock.KEY);
      SqlArrays.bind(statement, 2, userCreated, AccountRow::userId);
      try (ResultSet rs = statement.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static void adoptUserCreated(
      Connection connection, List<AccountRow> userCreated, List<PricedPlan> plans)
      throws SQLException {
    try (PreparedStatement claim = connection.prepareStatement(CLAIM_AWAITING)) {
      SqlArrays.bind(claim, 1, userCreated, AccountRow::userId);
      claim.executeQuery().close();
    }
    try (PreparedStatement statement = connection.prepareStatement(ADOPT_USER_CREATED)) {
      int index =
          bindColumns(
              statement,
              1,
              userCreated,
              List.of(
                  AccountRow::userId,
                  AccountRow::currency,
                  AccountRow::planId,
                  AccountRow::userCreatedAt));
      bindPlans(statement, index, plans);
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          boolean adopted = rs.getBoolean(2);
          boolean sameTerms =
              rs.getString(3).equals(rs.getString(5)) && rs.getString(4).equals(rs.getString(6));
          if (!adopted && !sameTerms) {
            log.warn(
                "user.created of {} arrived after a session event opened its account: "
                    + "its {} on plan {} ignored, the account keeps {} on plan {}, as {}",
                rs.getString(1),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                billedFromTheDefaults(rs));
          }
        }
      }
    }
  }

  /** Why an account was not moved onto its user.created's terms, from ADOPT's columns 7 to 10. */
  private static String billedFromTheDefaults(ResultSet rs) throws SQLException {
    List<String> reasons = new ArrayList<>();
    String[] what = {
      "usage was already rated", "an invoice exists", "a credit was granted", "its plan was changed"
    };
    for (int i = 0; i < what.length; i++) {
      if (rs.getBoolean(7 + i)) {
        reasons.add(what[i]);
      }
    }
    return reasons.isEmpty() ? "its plan was changed meanwhile" : String.join(", ", reasons);
  }

  private static void bindPlans(PreparedStatement statement, int first, List<PricedPlan> plans)
      throws SQLException {
    bindColumns(
        statement,
        first,
        plans,
        List.of(
            p -> p.plan().id(),
            PricedPlan::currency,
            p -> p.plan().name(),
            PricedPlan::price,
            p -> p.plan().interval(),
            p -> p.plan().cpuLimit(),
            p -> p.plan().memoryLimit(),
            p -> p.plan().storageLimit()));
  }

  private static <R> void execute(
      Connection connection, String sql, List<R> rows, List<Function<R, ?>> columns)
      throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      bindColumns(statement, 1, rows, columns);
      statement.executeUpdate();
    }
  }

  /** Binds each column as one array parameter from {@code first} on; returns the next index. */
  private static <R> int bindColumns(
      PreparedStatement statement, int first, List<R> rows, List<Function<R, ?>> columns)
      throws SQLException {
    for (Function<R, ?> column : columns) {
      SqlArrays.bind(statement, first++, rows, column);
    }
    return first;
  }
}
