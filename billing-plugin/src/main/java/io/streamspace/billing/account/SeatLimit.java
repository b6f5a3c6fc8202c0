package io.streamspace.billing.account;

import java.time.Instant;

/**
 * The seat limit an organization's Owner set: the organization may take members up to {@code
 * limit}, or up to its plan's hard members limit when that is lower. Null where an organization
 * has none.
 *
 * @param orgId the organization's id (its account's)
 * @param limit the most members, at least 1
 * @param setBy who set it
 * @param setAt when
 */
public record SeatLimit(String orgId, int limit, String setBy, Instant setAt) {

  /** The largest seat limit an Owner may set: far above any team, below integer trouble. */
  public static final int MAX = 1_000_000;

  public SeatLimit {
    if (limit < 1 || limit > MAX) {
      throw new IllegalArgumentException("a seat limit is from 1 to " + MAX + ": " + limit);
    }
  }
}
