package io.streamspace.billing.http;

import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.trials.Trials;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Currency;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * {@code GET /subscription}'s {@code trial}: the trial of its plan the organization is on, until
 * when, what the plan costs from then, and whether it converts then as things stand (a payment
 * method on file, or a Stripe Subscription) or falls back to the default plan.
 */
public record TrialJson(
    String planId,
    String planName,
    Instant startedAt,
    Instant endsAt,
    BigDecimal price,
    String currency,
    String interval,
    boolean willConvert,
    String fallbackPlanId,
    String fallbackPlanName) {

  /** Where an organization's running trial is read. */
  @FunctionalInterface
  public interface Source {
    Optional<TrialJson> of(String orgId) throws SQLException;
  }

  /** The trial running of each organization ({@link Trials#activeOf}), read when asked. */
  public static Source of(DataSource dataSource, Supplier<BillingConfig> config) {
    return orgId -> {
      Optional<Trials.Running> running;
      try (Connection connection = dataSource.getConnection()) {
        running = Trials.activeOf(connection, orgId);
      }
      BillingConfig current = config.get();
      String fallback = current.defaultPlan();
      String fallbackName = current.plan(fallback).map(SubscriptionPlan::name).orElse(fallback);
      return running.map(
          t -> {
            Currency currency = Currency.getInstance(t.currency());
            return new TrialJson(
                t.planId(),
                t.planName(),
                t.startedAt(),
                t.endsAt(),
                Money.shown(t.fee(), currency),
                t.currency(),
                t.interval(),
                t.converts(),
                fallback,
                fallbackName);
          });
    };
  }
}
