package io.streamspace.billing;

import io.streamspace.billing.live.LiveCosts;
import io.streamspace.billing.spend.PeriodCostSoFar;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.util.Currency;
import java.util.Optional;

/**
 * Live cost's total, as admission checks a block spending limit against it. Admission is wired
 * before live cost (the routes and jobs wired in between hand it what they change, and live cost
 * needs their features), so it reads through here, which answers once live cost is wired: within
 * the plugin's load, before the host asks it to admit anything.
 */
final class CostsSoFar implements PeriodCostSoFar {

  private volatile LiveCosts live;

  void wired(LiveCosts live) {
    this.live = live;
  }

  @Override
  public Optional<BigDecimal> total(String orgId, Currency currency) throws SQLException {
    LiveCosts current = live;
    if (current == null) {
      throw new IllegalStateException("live cost is not wired yet: the plugin is loading");
    }
    return current.total(orgId, currency);
  }
}
