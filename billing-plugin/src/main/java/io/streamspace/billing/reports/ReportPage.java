package io.streamspace.billing.reports;

import java.util.List;

/**
 * A page of a report grouped by account: the accounts it holds, in id order, and the id the next
 * page starts after ({@code next_after}; null on the last page). A page is of accounts, not of
 * rows: an account has a row per line of its usage, none when it used nothing in the range.
 */
public record ReportPage(List<String> accounts, String nextAfter) {

  public ReportPage {
    accounts = List.copyOf(accounts);
  }

  /**
   * The page of {@code limit} accounts out of the {@code limit + 1} fetched after the previous
   * page's last ({@link UsageReportQuery#accountsAfter}): the extra one only tells that another
   * page follows.
   */
  public static ReportPage of(List<String> fetched, int limit) {
    boolean more = fetched.size() > limit;
    List<String> accounts = fetched.subList(0, Math.min(fetched.size(), limit));
    return new ReportPage(accounts, more ? accounts.get(accounts.size() - 1) : null);
  }
}
