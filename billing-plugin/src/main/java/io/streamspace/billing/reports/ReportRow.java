package io.streamspace.billing.reports;

import io.streamspace.billing.rating.UsageLine;

/**
 * One row of a usage report: a group's usage of one resource at one unit price in one currency,
 * its cost rounded once to the currency's minor unit ({@link UsageLine}).
 *
 * @param group    the user id, day or plan id; null for a plan when no subscription covered the
 *                 usage, unused when grouped by resource
 * @param member   grouped by member: the member's user id, null for the organization's part
 *                 (storage); else null
 * @param currency the ISO code of the line's amounts
 */
public record ReportRow(String group, String member, String currency, UsageLine line) {

  /** A row of a report not grouped by member. */
  public ReportRow(String group, String currency, UsageLine line) {
    this(group, null, currency, line);
  }
}
