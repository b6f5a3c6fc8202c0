package io.streamspace.billing.events;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * The payload of {@code billing.spend.warning} and {@code billing.spend.reached}.
 *
 * @param estimate the period's estimated cost when it was found, before credits
 * @param amount the spending limit
 * @param percent the estimate as a percent of the limit
 * @param action {@code warn} or {@code block}
 * @param periodStart the billing period the alert is sent once in
 */
public record SpendAlert(
    String userId,
    String currency,
    BigDecimal estimate,
    BigDecimal amount,
    BigDecimal percent,
    String action,
    Instant periodStart) {}
