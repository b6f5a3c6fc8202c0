package io.streamspace.billing.spend;

import java.math.BigDecimal;
import java.sql.SQLException;
import java.util.Currency;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The spending limits with the action {@code block}, as admission reserves against them: which
 * organizations have one, in memory (reloaded with admission's view, {@link #reload}, so a limit
 * set or removed on any node counts within a reload), so that an organization without one is
 * admitted without a read; and, for one that has one, the period's estimate its limit is checked
 * against: its cost so far, rated and unrated, live cost's total ({@link PeriodCostSoFar}, from
 * memory, fresh within a second), so sessions running past their first minutes count at once.
 */
public final class BlockLimits {

  /** What a block limit leaves to reserve: the limit and the period's estimate against it. */
  public record Room(BigDecimal limit, BigDecimal spent) {

    /** The limit less the estimate: what reservations may take (negative once over it). */
    public BigDecimal left() {
      return limit.subtract(spent);
    }
  }

  private final SpendingLimitStore store;
  private final PeriodCostSoFar costs;
  private volatile Map<String, BigDecimal> limits = Map.of();

  public BlockLimits(DataSource dataSource, PeriodCostSoFar costs) {
    this.store = new SpendingLimitStore(dataSource);
    this.costs = costs;
  }

  /** Reads which organizations have a block limit, and its amount. */
  public void reload() throws SQLException {
    limits = Map.copyOf(store.blockLimits());
  }

  /**
   * The organization's block limit and its period's cost so far in {@code currency}; empty, from
   * memory, when it has no block limit.
   */
  public Optional<Room> roomOf(String orgId, Currency currency) throws SQLException {
    BigDecimal limit = limits.get(orgId);
    if (limit == null) {
      return Optional.empty();
    }
    BigDecimal spent = costs.total(orgId, currency).orElse(BigDecimal.ZERO);
    return Optional.of(new Room(limit, spent));
  }
}
