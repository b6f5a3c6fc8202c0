package io.streamspace.billing.account;

import java.time.Instant;
import java.util.List;

/**
 * An ownership transfer as recorded: the answer of {@code POST /ownership-transfer} and the
 * payload of {@code billing.org.ownership_transferred}.
 *
 * @param orgId          the team organization
 * @param userId         its new Owner
 * @param previousOwners the Owners who handed it over, Admins from then on
 * @param transferredBy  the caller: the previous Owner, or a platform admin
 * @param transferredAt  the instant of both role changes (event time)
 */
public record OwnershipTransfer(
    String orgId,
    String userId,
    List<String> previousOwners,
    String transferredBy,
    Instant transferredAt) {}
