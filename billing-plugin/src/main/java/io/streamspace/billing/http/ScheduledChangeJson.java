package io.streamspace.billing.http;

import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.plans.PlanMigration;
import io.streamspace.billing.plans.PlanMigrations;
import io.streamspace.billing.plans.PlanMigrations.Coming;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Currency;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code GET /subscription}'s {@code scheduled_change}: the coming change of the organization's
 * plan it was told of, a migration onto another version, its fee in the organization's currency.
 */
public record ScheduledChangeJson(
    long migrationId,
    String planId,
    String planName,
    int fromVersion,
    int toVersion,
    Instant effectiveAt,
    BigDecimal price,
    String currency,
    String interval) {

  /** Where an organization's coming change is read. */
  @FunctionalInterface
  public interface Source {
    Optional<ScheduledChangeJson> of(String orgId, Currency currency) throws SQLException;
  }

  /**
   * The migration each organization was told of ({@link PlanMigrations#comingFor}), its plan
   * named as configured (the version's name once the plan left the config).
   */
  public static Source of(PlanMigrations migrations, Supplier<BillingConfig> config) {
    return (orgId, currency) ->
        migrations
            .comingFor(orgId)
            .map(
                coming ->
                    of(
                        coming,
                        config
                            .get()
                            .plan(coming.migration().planId())
                            .map(SubscriptionPlan::name)
                            .orElse(coming.to().name()),
                        currency));
  }

  static ScheduledChangeJson of(Coming coming, String planName, Currency currency) {
    PlanMigration m = coming.migration();
    return new ScheduledChangeJson(
        m.id(),
        m.planId(),
        planName,
        m.fromVersion(),
        m.toVersion(),
        m.effectiveAt(),
        coming.to().terms().priceIn(currency).map(p -> Money.shown(p, currency)).orElse(null),
        currency.getCurrencyCode(),
        coming.to().terms().interval());
  }
}
