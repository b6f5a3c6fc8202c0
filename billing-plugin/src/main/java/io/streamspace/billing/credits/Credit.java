package io.streamspace.billing.credits;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A credit an admin granted to an account: money the account's invoices consume, earliest expiry
 * first, until {@code remaining} is zero. Amounts are shown with the currency's decimals.
 *
 * @param remaining what invoices have not consumed yet
 * @param grantedBy the admin's user id
 * @param expiresAt after which (inclusive) it is no longer applied; null for never
 * @param kind      {@code admin}, granted by an admin (a refund's credit too); {@code fault},
 *                  granted automatically for a session the platform lost ({@link FaultCredits});
 *                  {@code correction}, what a usage correction's credit gave beyond what its
 *                  invoice still held
 */
public record Credit(
    long id,
    String userId,
    BigDecimal amount,
    BigDecimal remaining,
    String currency,
    String reason,
    String grantedBy,
    Instant grantedAt,
    Instant expiresAt,
    String kind) {

  /** An admin's grant. */
  public static final String ADMIN = "admin";

  /** A fault credit: granted by the platform's terminate of a session it lost. */
  public static final String FAULT = "fault";

  /** A usage correction's credit beyond what its finalized invoice still held. */
  public static final String CORRECTION = "correction";

  /** Whether the credit has expired at that instant: its expiry is not after it. */
  public boolean expiredAt(Instant now) {
    return expiresAt != null && !expiresAt.isAfter(now);
  }
}
