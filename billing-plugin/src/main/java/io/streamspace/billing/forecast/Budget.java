package io.streamspace.billing.forecast;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * What an organization, or one of its members, means to spend in a billing period, in the
 * organization's currency. It holds nothing back: it is watched by the forecast ({@link
 * BudgetAlerts}).
 *
 * @param memberId the member whose own usage it watches; null for the organization's total
 * @param period the period it applies to: {@value #MONTH}, the billing period, for now the only
 *     one
 * @param setBy the user (or platform admin) who set this amount (a retry keeps the first)
 */
public record Budget(
    String orgId, String memberId, BigDecimal amount, String period, String setBy, Instant setAt) {

  /** The billing period (invoice day to invoice day in the billing zone). */
  public static final String MONTH = "month";

  /** Whether it is the organization's own, not a member's. */
  public boolean organizations() {
    return memberId == null;
  }

  /** Its name in a forecast's {@code crosses}: {@code budget} or {@code member_budget:<id>}. */
  public String what() {
    return organizations() ? "budget" : "member_budget:" + memberId;
  }
}
