package io.streamspace.billing.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * The payload of {@code billing.account.suspended}, {@code resumed}, {@code locked}, {@code
 * unlocked} and {@code billing.session.suspended}, {@code resumed}: the hold placed or lifted, as
 * the hold package tells it.
 *
 * @param userId the organization held (the name the first of these events gave it)
 * @param orgId the same organization; null (left out) where no event tells it: the unlock
 *     route's answer, the audit trail's entry
 * @param reason {@code non_payment}, {@code spending_limit}, {@code over_limit} or {@code
 *     balance_exhausted}
 * @param detail why, in the sentence the user sees
 * @param liftedAt null when the hold was placed
 * @param liftedBy {@code billing}, or the admin who lifted it; null when placed
 * @param sessions the organization's open sessions the change suspends or resumes, by id; null
 *     (left out) with {@code orgId}
 */
public record AccountHoldChanged(
    String userId,
    @JsonInclude(JsonInclude.Include.NON_NULL) String orgId,
    String reason,
    String detail,
    Instant placedAt,
    Instant liftedAt,
    String liftedBy,
    String note,
    @JsonInclude(JsonInclude.Include.NON_NULL) List<String> sessions) {

  public AccountHoldChanged {
    sessions = sessions == null ? null : List.copyOf(sessions);
  }
}
