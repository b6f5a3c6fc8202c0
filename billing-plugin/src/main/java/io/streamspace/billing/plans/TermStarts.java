package io.streamspace.billing.plans;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.invoicing.PlanTerm;
import io.streamspace.billing.json.JsonMapper;
import io.streamspace.billing.planversions.PlanVersion;
import io.streamspace.billing.planversions.PlanVersions;
import io.streamspace.billing.trials.Trials;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Starts plan terms ({@code billing_subscriptions}) for {@link SubscriptionRepository}, in its
 * transaction: on their version, as a trial term when they begin a trial, and what the audit trail
 * says of them.
 */
final class TermStarts {

  private static final NamedSql START =
      NamedSql.of(
          """
          INSERT INTO billing_subscriptions (user_id, plan_id, plan_name, price, currency,
              billing_interval, cpu_limit, memory_limit, storage_limit, held_limits, started_at,
              plan_version, trial_ends_at)
          VALUES (:user_id, :plan_id, :plan_name, :price, :currency,
              :billing_interval, :cpu_limit, :memory_limit, :storage_limit, :held_limits::jsonb,
              :now, :plan_version, :trial_ends_at)
          RETURNING id
          """);

  /** A term started: its version, and its trial's end when it is a trial term (else null). */
  record Started(int version, Instant trialEnd) {}

  private TermStarts() {}

  /**
   * Starts {@code next} at {@code now}: on its version, or, when it names none (a term from the
   * plan as this node configures it), on the version of its plan its fee and limits are ({@link
   * PlanVersion#versionOf}). When it offers a trial ({@link PlanTerm#trialEnd}) and the
   * organization never had one of the plan, it is a trial term: free until then, the trial
   * keeping its fee ({@link Trials}); otherwise it pays from now.
   */
  static Started start(
      Connection connection, String orgId, PlanTerm next, Currency currency, Instant now)
      throws SQLException {
    int version =
        next.version() != null
            ? next.version()
            : PlanVersion.versionOf(
                PlanVersions.of(connection, next.planId()), fields(next, currency));
    Instant trialEnd =
        next.trialEnd() != null && !Trials.had(connection, orgId, next.planId())
            ? next.trialEnd()
            : null;
    long id;
    try (PreparedStatement statement =
            START
                .bind("user_id", orgId)
                .bind("plan_id", next.planId())
                .bind("plan_name", next.planName())
                .bind("price", trialEnd == null ? next.price() : BigDecimal.ZERO)
                .bind("currency", currency.getCurrencyCode())
                .bind("billing_interval", next.interval())
                .bind("cpu_limit", next.cpuLimit())
                .bind("memory_limit", next.memoryLimit())
                .bind("storage_limit", next.storageLimit())
                .bind("held_limits", JsonMapper.write(next.heldLimits()))
                .bind("now", now)
                .bind("plan_version", version)
                .bind("trial_ends_at", trialEnd)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      id = rs.getLong(1);
    }
    if (trialEnd != null) {
      Trials.begun(connection, orgId, next.planId(), id, next.price());
    }
    return new Started(version, trialEnd);
  }

  /** What a plan term keeps of its plan, as a version's terms are matched against it. */
  private static PlanVersion.TermFields fields(PlanTerm term, Currency currency) {
    return new PlanVersion.TermFields(
        currency,
        term.price(),
        term.interval(),
        term.cpuLimit(),
        term.memoryLimit(),
        term.storageLimit(),
        term.heldLimits());
  }

  /**
   * The audit trail's "after" of a term started: its plan, fee, interval and version (a trial
   * term's fee is 0 until its {@code trial_ends_at}, then the {@code fee} its trial keeps), and
   * {@code more}.
   */
  static Map<String, Object> audited(
      PlanTerm next, Currency currency, Started started, Map<String, Object> more) {
    Map<String, Object> after = new LinkedHashMap<>();
    after.put("plan_id", next.planId());
    after.put("plan_name", next.planName());
    after.put("price", started.trialEnd() == null ? next.price() : BigDecimal.ZERO);
    after.put("currency", currency.getCurrencyCode());
    after.put("billing_interval", next.interval());
    after.put("plan_version", started.version());
    if (started.trialEnd() != null) {
      after.put("trial_ends_at", started.trialEnd());
      after.put("fee", next.price());
    }
    after.putAll(more);
    return after;
  }
}
