package io.streamspace.billing.live;

import java.math.BigDecimal;
import java.sql.SQLException;
import java.util.Currency;
import java.util.List;

/**
 * Where live cost reads the budgets an organization's Admins set for its members: the
 * forecast's count of what is left of each, wired in {@code LiveWiring} ({@link #NONE}, for
 * tests, answers that no member has one).
 */
@FunctionalInterface
public interface MemberBudgets {

  /** No member has a budget. */
  MemberBudgets NONE = (orgId, currency) -> List.of();

  /**
   * A member's budget as it stands now.
   *
   * @param left what is left of it this period (the budget less what the member spent so far,
   *     as the budgets count it); the runway to it is this amount at the rate of the member's
   *     running sessions
   */
  record Left(String memberId, BigDecimal left) {}

  /** The organization's members' budgets, in its currency; empty when none has one. */
  List<Left> of(String orgId, Currency currency) throws SQLException;
}
