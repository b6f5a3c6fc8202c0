package io.streamspace.billing.quota;

import io.streamspace.billing.catalog.Meter;
import java.time.Instant;

/**
 * An account's agreement that a soft counter may go on past its included amount, billed as
 * overage, for the billing period that starts at {@code periodStart}.
 *
 * @param confirmedBy the user who confirmed it (the owner, or an admin)
 */
public record OverageConfirmation(
    String orgId, Meter meter, Instant periodStart, String confirmedBy, Instant confirmedAt) {}
