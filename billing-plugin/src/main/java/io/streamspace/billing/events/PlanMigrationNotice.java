package io.streamspace.billing.events;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * The payload of {@code billing.plan.migration_scheduled}: the organization's plan moves from
 * one version of it to another at {@code effectiveAt}, told {@code notice_days} before (once).
 * Amounts in the organization's currency, with its decimals.
 *
 * @param currentPrice the fee per {@code currentInterval} it pays now
 * @param newPrice the fee per {@code newInterval} from {@code effectiveAt}
 */
public record PlanMigrationNotice(
    String orgId,
    long migrationId,
    String planId,
    String planName,
    int fromVersion,
    int toVersion,
    Instant effectiveAt,
    String currency,
    BigDecimal currentPrice,
    String currentInterval,
    BigDecimal newPrice,
    String newInterval) {}
