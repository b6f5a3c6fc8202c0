package io.streamspace.billing.admin;

import java.math.BigDecimal;
import java.util.List;

/**
 * One account, an organization's, as the admin overview shows it. Amounts are in the account's
 * currency, with its decimals; revenue in each invoice's.
 *
 * @param name               a team organization's name; null for a personal one (or none given)
 * @param personal           a user's personal organization (its id is the user's), or a team's
 * @param members            its members now: 1 for a personal organization
 * @param planId             the plan of the active subscription
 * @param currentPeriodCost  usage of the current billing period so far, at the rates
 * @param outstandingBalance Σ total of the account's sent and overdue invoices
 * @param creditBalance      Σ remaining of its credits not expired now
 * @param status             the account's status ({@code active}, {@code suspended}, ...)
 * @param holds              the reasons of its active holds, oldest first ({@code over_limit},
 *                           ...): while any is on, its sessions are suspended and new ones refused
 * @param quotaState         the state of its worst meter ({@code ok} when every meter is under the
 *                           alert threshold or unlimited), as {@code GET /admin/quotas} judges it
 * @param quotaMeters        its meters at or over the alert threshold, the worst first
 */
public record AccountOverview(
    String userId,
    String email,
    String name,
    boolean personal,
    int members,
    String planId,
    String currency,
    BigDecimal currentPeriodCost,
    BigDecimal outstandingBalance,
    BigDecimal creditBalance,
    String status,
    List<String> holds,
    String quotaState,
    List<MeterState> quotaMeters,
    List<Revenue> revenue) {

  public AccountOverview {
    holds = List.copyOf(holds);
    quotaMeters = List.copyOf(quotaMeters);
    revenue = List.copyOf(revenue);
  }

  /** What an organization was invoiced in one currency. */
  public record Revenue(String currency, BigDecimal invoiced) {}

  /**
   * A meter at or over the alert threshold.
   *
   * @param meter its name ({@code cpu_cores}, ...)
   * @param state {@code warning}, {@code exceeded} or {@code confirmation_required}
   * @param percent of its limit used; null for a limit of zero
   */
  public record MeterState(String meter, String state, BigDecimal percent) {}
}
