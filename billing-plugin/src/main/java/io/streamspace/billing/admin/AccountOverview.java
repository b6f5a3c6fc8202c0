package io.streamspace.billing.admin;

import java.math.BigDecimal;
import java.util.List;

/**
 * One account as the admin overview shows it. Amounts are in the account's currency, with its
 * decimals.
 *
 * @param planId             the plan of the active subscription
 * @param currentPeriodCost  usage of the current billing period so far, at the rates
 * @param outstandingBalance Σ total of the account's sent and overdue invoices
 * @param creditBalance      Σ remaining of its credits not expired now
 * @param status             the account's status ({@code active}, {@code suspended}, ...)
 * @param holds              the reasons of its active holds, oldest first ({@code over_limit},
 *                           ...): while any is on, its sessions are suspended and new ones refused
 */
public record AccountOverview(
    String userId,
    String email,
    String planId,
    String currency,
    BigDecimal currentPeriodCost,
    BigDecimal outstandingBalance,
    BigDecimal creditBalance,
    String status,
    List<String> holds) {

  public AccountOverview {
    holds = List.copyOf(holds);
  }
}
