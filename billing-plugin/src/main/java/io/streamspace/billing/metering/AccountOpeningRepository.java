package io.streamspace.billing.metering;

import io.streamspace.billing.account.AccountTermsLock;
import io.streamspace.billing.account.OpeningTerms.PricedPlan;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.json.JsonMapper;
import io.streamspace.billing.metering.MeteringBatch.AccountRow;
import io.streamspace.billing.planversions.PlanVersion;
import io.streamspace.billing.planversions.PlanVersions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;

/**
 * Stores what a batch says of accounts, in the caller's transaction: the accounts opened on their
 * first plan term (the terms an account opens on are {@code OpeningTerms}'s to decide), their
 * emails completed, their start moved back to the earliest event, and a late {@code user.created}
 * (of a personal organization) or {@code org.created} (of a team one) adopted. Each kind of
 * change is one statement over all the batch's rows, and storing the same rows twice changes
 * nothing.
 */
final class AccountOpeningRepository {

  /**
   * What became of a {@code user.created} or {@code org.created} for an account a session event
   * had opened on the defaults.
   *
   * @param orgId                the account's id
   * @param event                 {@code user.created} or {@code org.created}
   * @param adopted               whether the account moved onto the terms it asked for
   * @param currency              the currency it asked for
   * @param planId                the plan it asked for
   * @param openedCurrency        the currency it was opened in
   * @param openedPlan            the plan it was opened on
   * @param billedFromTheDefaults what was billed or bought from the defaults already, each as a
   *                              phrase (such as "an invoice exists"); the reasons it was kept
   */
  record Adoption(
      String orgId,
      String event,
      boolean adopted,
      String currency,
      String planId,
      String openedCurrency,
      String openedPlan,
      List<String> billedFromTheDefaults) {

    /** Whether the account kept terms other than those its event asked for. */
    boolean ignored() {
      return !adopted && !(currency.equals(openedCurrency) && planId.equals(openedPlan));
    }

    /** Why the account kept its terms, as a phrase. */
    String why() {
      return billedFromTheDefaults.isEmpty()
          ? "its plan was changed meanwhile"
          : String.join(", ", billedFromTheDefaults);
    }
  }

  // The configured plans with their terms in each supported currency, one row per plan and
  // currency, and the version of the plan those terms are (PlanVersion.versionOf), as a table p.
  private static final String PLANS =
      """
      unnest(:config_plan_id::text[], :config_currency::text[], :config_plan_name::text[],
             :config_price::text[]::numeric[], :config_interval::text[],
             :config_cpu_limit::text[]::numeric[], :config_memory_limit::text[]::numeric[],
             :config_storage_limit::text[]::numeric[], :config_held_limits::text[]::jsonb[],
             :config_plan_version::text[]::integer[])
        AS p(id, currency, name, price, billing_interval,
             cpu_limit, memory_limit, storage_limit, held_limits, plan_version)""";

  private static final NamedSql OPEN_ACCOUNTS =
      NamedSql.of(
          """
          -- Opens the accounts not yet known and starts each on its plan, in the same statement:
          -- the database requires every account to have exactly one active subscription (V2).
          WITH batch AS (
            SELECT * FROM unnest(:user_id::text[], :email::text[], :currency::text[],
                                 :plan_id::text[], :created_at::text[]::timestamptz[],
                                 :user_created_at::text[]::timestamptz[],
                                 :personal::text[]::boolean[], :name::text[])
              AS b(user_id, email, currency, plan_id, created_at, user_created_at, personal,
                   name)
          ),
          -- DO NOTHING, not DO UPDATE: PostgreSQL locks every conflicting row for DO UPDATE even
          -- when its WHERE is false, so each flush would lock the account of every active user
          -- before their sessions, the opposite order to calculate-usage (sessions, then the
          -- storage watermark): deadlocks. RETURNING then gives exactly the rows inserted.
          opened AS (
            INSERT INTO billing_accounts
              (user_id, email, currency, created_at, user_created_at, personal, name)
            SELECT user_id, email, currency, created_at, user_created_at, personal, name
            FROM batch
            ON CONFLICT (user_id) DO NOTHING
            RETURNING user_id
          )
          -- The plan's terms are copied from the config as it is now, priced in the account's
          -- currency (one row per plan and currency), so a later change to the plan does not
          -- rewrite them.
          INSERT INTO billing_subscriptions (user_id, plan_id, plan_name, price, currency,
              billing_interval, cpu_limit, memory_limit, storage_limit, held_limits, started_at,
              plan_version)
          SELECT b.user_id, p.id, p.name, p.price, b.currency, p.billing_interval,
                 p.cpu_limit, p.memory_limit, p.storage_limit, p.held_limits, b.created_at,
                 p.plan_version
          FROM opened o
          JOIN batch b USING (user_id)
          JOIN %s ON p.id = b.plan_id AND p.currency = b.currency
          RETURNING user_id
          """
              .formatted(PLANS));

  // An account opened by a session event has no email until its user.created arrives. Bound
  // only with the batch's rows that carry an email, and run after the session rows, so that it
  // locks (rarely) account rows after session rows, as calculate-usage does.
  private static final NamedSql COMPLETE_EMAILS =
      NamedSql.of(
          """
          UPDATE billing_accounts a SET email = b.email
          FROM unnest(:user_id::text[], :email::text[]) AS b(user_id, email)
          WHERE a.user_id = b.user_id AND a.email IS NULL AND b.email IS NOT NULL
          """);

  // Locks only the accounts that move (rare); run after the session rows, as COMPLETE_EMAILS.
  private static final NamedSql START_ACCOUNTS_EARLIER =
      NamedSql.of(
          """
          -- An account starts at the earliest instant any of its events shows, whatever the
          -- order of delivery: a batch with an earlier event than the account's start moves it
          -- back.
          WITH moved AS (
            UPDATE billing_accounts a SET created_at = b.created_at
            FROM unnest(:user_id::text[], :created_at::text[]::timestamptz[])
              AS b(user_id, created_at)
            WHERE a.user_id = b.user_id AND b.created_at < a.created_at
            RETURNING a.user_id, a.created_at
          )
          -- The first plan term (the plan it opened on) moves with it, even after a plan
          -- change: the account was on that plan from its start until the change, which keeps
          -- its instant. A trial it began, still running, ends as many days after its new start.
          UPDATE billing_subscriptions s SET started_at = m.created_at,
            trial_ends_at = CASE WHEN s.ended_at IS NULL
                                 THEN s.trial_ends_at - (s.started_at - m.created_at)
                                 ELSE s.trial_ends_at END
          FROM moved m
          WHERE s.id = (SELECT f.id FROM billing_subscriptions f WHERE f.user_id = m.user_id
                        ORDER BY f.started_at, f.id LIMIT 1)
          """);

  // A user.created (of a personal organization) or org.created (of a team one) for an account a
  // session event opened on the defaults is adopted in three statements. The batch holds
  // AccountTermsLock exclusively from its start (AWAITING, only
  // when such an account exists), so ADOPT, whose snapshot is taken after the jobs that price
  // with the old currency committed, sees what they rated or invoiced, and they see the new
  // currency. The account rows are locked next (CLAIM), then the term, then the account
  // updated (ADOPT): the order START_ACCOUNTS_EARLIER uses. A plan change racing the re-pricing
  // of the term waits for it, then finds its currency changed and is refused
  // (SubscriptionRepository.END); if it ended the term first, the account keeps its terms.
  private static final NamedSql AWAITING_TERMS =
      NamedSql.of(
          """
          SELECT pg_advisory_xact_lock(:lock) WHERE EXISTS (
            SELECT 1 FROM billing_accounts
            WHERE user_id = ANY (:user_id::text[]) AND user_created_at IS NULL)
          """);

  private static final NamedSql CLAIM_AWAITING =
      NamedSql.of(
          """
          SELECT user_id FROM billing_accounts
          WHERE user_id = ANY (:user_id::text[]) AND user_created_at IS NULL
          ORDER BY user_id FOR NO KEY UPDATE
          """);

  private static final NamedSql ADOPT_TERMS =
      NamedSql.of(
          """
          WITH batch AS (
            SELECT * FROM unnest(:user_id::text[], :currency::text[], :plan_id::text[],
                                 :user_created_at::text[]::timestamptz[],
                                 :personal::text[]::boolean[], :name::text[])
              AS b(user_id, currency, plan_id, user_created_at, personal, name)
          ),
          -- the accounts a session event opened on the defaults (user_created_at null), of the
          -- event's kind (a user.created never adopts a team organization's account, nor an
          -- org.created a user's: MeteringStore refuses the latter), with
          -- what has been billed from those defaults yet: a usage record rated, an invoice (of
          -- any status) or a credit, or a plan change (a term has ended), and what is in use in
          -- its currency: a pack bought (priced in it) or a spending limit set (an amount in it)
          waiting AS (
            SELECT b.*, a.currency::text AS opened_currency, s.id AS term_id,
                   s.plan_id AS opened_plan,
                   EXISTS (SELECT 1 FROM billing_usage_records r WHERE r.user_id = b.user_id)
                     AS rated,
                   EXISTS (SELECT 1 FROM billing_invoices i WHERE i.user_id = b.user_id)
                     AS invoiced,
                   EXISTS (SELECT 1 FROM billing_credits c WHERE c.user_id = b.user_id)
                     AS credited,
                   EXISTS (SELECT 1 FROM billing_subscriptions x
                           WHERE x.user_id = b.user_id AND x.ended_at IS NOT NULL) AS changed,
                   EXISTS (SELECT 1 FROM billing_pack_purchases p WHERE p.user_id = b.user_id)
                     AS bought,
                   EXISTS (SELECT 1 FROM billing_spending_limits l WHERE l.user_id = b.user_id)
                     AS limited
            FROM batch b
            JOIN billing_accounts a USING (user_id)
            JOIN billing_subscriptions s ON s.user_id = a.user_id AND s.ended_at IS NULL
            WHERE a.user_created_at IS NULL AND a.personal = b.personal
          ),
          -- the account becomes what it would be had its event come first: its currency
          -- and plan, the opening term re-priced in place (same started_at, the account's
          -- start), provided nothing has been billed from the defaults yet; otherwise it keeps
          -- its terms, since re-pricing rated, invoiced, granted or bought money silently would
          -- be worse (the store logs what was ignored)
          adopted AS (
            UPDATE billing_subscriptions s
            SET plan_id = p.id, plan_name = p.name, price = p.price, currency = p.currency,
                billing_interval = p.billing_interval, cpu_limit = p.cpu_limit,
                memory_limit = p.memory_limit, storage_limit = p.storage_limit,
                held_limits = p.held_limits, plan_version = p.plan_version
            FROM waiting w JOIN %s ON p.id = w.plan_id AND p.currency = w.currency
            WHERE s.id = w.term_id AND s.ended_at IS NULL
              AND NOT (w.rated OR w.invoiced OR w.credited OR w.changed OR w.bought OR w.limited)
              AND (w.plan_id, w.currency) IS DISTINCT FROM (w.opened_plan, w.opened_currency)
            RETURNING s.user_id
          )
          -- either way the account is marked as having met its user.created or org.created,
          -- so a redelivery changes nothing, and a team organization gets its name
          UPDATE billing_accounts a
          SET user_created_at = w.user_created_at,
              currency = CASE WHEN d.user_id IS NULL THEN a.currency ELSE w.currency END,
              name = coalesce(w.name, a.name)
          FROM waiting w LEFT JOIN adopted d USING (user_id)
          WHERE a.user_id = w.user_id
          RETURNING a.user_id,
                    CASE WHEN w.personal THEN 'user.created' ELSE 'org.created' END,
                    d.user_id IS NOT NULL, w.currency, w.plan_id, w.opened_currency,
                    w.opened_plan, w.rated, w.invoiced, w.credited, w.changed, w.bought,
                    w.limited
          """
              .formatted(PLANS));

  /**
   * Opens the accounts not yet known, each on its first plan term from {@code plans} (its plan
   * priced in its currency).
   *
   * @return the accounts it opened
   */
  List<String> open(Connection connection, List<AccountRow> accounts, List<PricedPlan> plans)
      throws SQLException {
    List<String> opened = new ArrayList<>();
    if (accounts.isEmpty()) {
      return opened;
    }
    NamedSql.Binding open =
        BatchColumns.bind(
            connection,
            OPEN_ACCOUNTS.binding(),
            accounts,
            Map.of(
                "user_id", AccountRow::orgId,
                "email", AccountRow::email,
                "currency", AccountRow::currency,
                "plan_id", AccountRow::planId,
                "created_at", AccountRow::createdAt,
                "user_created_at", AccountRow::userCreatedAt,
                "personal", AccountRow::personal,
                "name", AccountRow::name));
    try (PreparedStatement statement = withPlans(connection, open, plans).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        opened.add(rs.getString(1));
      }
    }
    return opened;
  }

  /** Gives the accounts opened without an email the one the rows carry. */
  void completeEmails(Connection connection, List<AccountRow> accounts) throws SQLException {
    BatchColumns.execute(
        connection,
        COMPLETE_EMAILS,
        accounts.stream().filter(a -> a.email() != null).toList(),
        Map.of("user_id", AccountRow::orgId, "email", AccountRow::email));
  }

  /** Moves back the start of the accounts (and of their first plan term) the rows show earlier. */
  void startEarlier(Connection connection, List<AccountRow> accounts) throws SQLException {
    BatchColumns.execute(
        connection,
        START_ACCOUNTS_EARLIER,
        accounts,
        Map.of("user_id", AccountRow::orgId, "created_at", AccountRow::createdAt));
  }

  /**
   * Whether one of the accounts awaits its user.created or org.created; if so, holds
   * {@link AccountTermsLock} exclusively until the transaction ends.
   *
   * @param openingEvents the rows of user.created and org.created events
   */
  boolean awaitingTerms(Connection connection, List<AccountRow> openingEvents) throws SQLException {
    if (openingEvents.isEmpty()) {
      return false;
    }
    try (PreparedStatement statement =
            AWAITING_TERMS
                .bind("lock", AccountTermsLock.KEY)
                .bind("user_id", SqlArrays.array(connection, openingEvents, AccountRow::orgId))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      return rs.next();
    }
  }

  /**
   * Adopts the user.created or org.created of the accounts a session event opened on the
   * defaults: each moves onto the terms it asked for unless something was billed from the
   * defaults already.
   *
   * @param openingEvents the rows of user.created and org.created events
   * @return what became of each such account
   */
  List<Adoption> adoptTerms(
      Connection connection, List<AccountRow> openingEvents, List<PricedPlan> plans)
      throws SQLException {
    try (PreparedStatement claim =
        CLAIM_AWAITING
            .bind("user_id", SqlArrays.array(connection, openingEvents, AccountRow::orgId))
            .prepare(connection)) {
      claim.executeQuery().close();
    }
    NamedSql.Binding adopt =
        BatchColumns.bind(
            connection,
            ADOPT_TERMS.binding(),
            openingEvents,
            Map.of(
                "user_id", AccountRow::orgId,
                "currency", AccountRow::currency,
                "plan_id", AccountRow::planId,
                "user_created_at", AccountRow::userCreatedAt,
                "personal", AccountRow::personal,
                "name", AccountRow::name));
    List<Adoption> adoptions = new ArrayList<>();
    try (PreparedStatement statement = withPlans(connection, adopt, plans).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        adoptions.add(
            new Adoption(
                rs.getString(1),
                rs.getString(2),
                rs.getBoolean(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                rs.getString(7),
                billedFromTheDefaults(rs)));
      }
    }
    return adoptions;
  }

  /** What was billed from the defaults, from ADOPT's columns 8 to 13. */
  private static List<String> billedFromTheDefaults(ResultSet rs) throws SQLException {
    List<String> reasons = new ArrayList<>();
    String[] what = {
      "usage was already rated",
      "an invoice exists",
      "a credit was granted",
      "its plan was changed",
      "a pack was bought",
      "a spending limit was set"
    };
    for (int i = 0; i < what.length; i++) {
      if (rs.getBoolean(8 + i)) {
        reasons.add(what[i]);
      }
    }
    return reasons;
  }

  /**
   * Binds {@link #PLANS}: the priced plans as one array parameter per column, each with the
   * version of its plan its terms are (of the versions stored now, read in the transaction).
   */
  private static NamedSql.Binding withPlans(
      Connection connection, NamedSql.Binding binding, List<PricedPlan> plans) throws SQLException {
    Map<String, List<PlanVersion>> versions =
        PlanVersions.of(connection, plans.stream().map(p -> p.plan().id()).distinct().toList());
    return BatchColumns.bind(
        connection,
        binding,
        plans,
        Map.of(
            "config_plan_id", p -> p.plan().id(),
            "config_currency", PricedPlan::currency,
            "config_plan_name", p -> p.plan().name(),
            "config_price", PricedPlan::price,
            "config_interval", p -> p.plan().interval(),
            "config_cpu_limit", p -> p.plan().cpuLimit(),
            "config_memory_limit", p -> p.plan().memoryLimit(),
            "config_storage_limit", p -> p.plan().storageLimit(),
            "config_held_limits", p -> JsonMapper.write(p.plan().heldLimits()),
            "config_plan_version",
                p ->
                    PlanVersion.versionOf(
                        versions.getOrDefault(p.plan().id(), List.of()), fields(p))));
  }

  /** What a term started on the priced plan keeps of it. */
  private static PlanVersion.TermFields fields(PricedPlan p) {
    return new PlanVersion.TermFields(
        Currency.getInstance(p.currency()),
        p.price(),
        p.plan().interval(),
        p.plan().cpuLimit(),
        p.plan().memoryLimit(),
        p.plan().storageLimit(),
        p.plan().heldLimits());
  }
}
