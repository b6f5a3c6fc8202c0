package io.streamspace.billing.spend;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.invoicing.InvoiceCalculator;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Currency;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * The spending limits with the action {@code block}, as admission reserves against them: which
 * organizations have one, in memory (reloaded with admission's view, {@link #reload}, so a limit
 * set or removed on any node counts within a reload), so that an organization without one is
 * admitted without a read; and, for one that has one, the period's estimate its limit is checked
 * against ({@link SpendingLimits#estimate}), read at most once per {@link #FRESH} per
 * organization however many start at once.
 */
public final class BlockLimits {

  /** What a block limit leaves to reserve: the limit and the period's estimate against it. */
  public record Room(BigDecimal limit, BigDecimal spent) {

    /** The limit less the estimate: what reservations may take (negative once over it). */
    public BigDecimal left() {
      return limit.subtract(spent);
    }
  }

  /** How old an estimate may be, at most, for a reservation against the limit. */
  static final Duration FRESH = Duration.ofSeconds(1);

  /** One organization's estimate, guarded by its own monitor. */
  private static final class Estimate {
    private BigDecimal total;
    private Currency currency;
    private Instant readAt = Instant.MIN;
  }

  private final SpendingLimitStore store;
  private final InvoiceCalculator calculator;
  private final Clock clock;
  private volatile Map<String, BigDecimal> limits = Map.of();
  private final Map<String, Estimate> estimates = new ConcurrentHashMap<>();

  public BlockLimits(DataSource dataSource, Supplier<BillingConfig> config, Clock clock) {
    this.store = new SpendingLimitStore(dataSource);
    this.calculator = new InvoiceCalculator(dataSource, config);
    this.clock = clock;
  }

  /** Reads which organizations have a block limit, and its amount. */
  public void reload() throws SQLException {
    Map<String, BigDecimal> read = store.blockLimits();
    limits = Map.copyOf(read);
    estimates.keySet().retainAll(read.keySet());
  }

  /**
   * The organization's block limit and its period's estimate in {@code currency}, read within
   * {@link #FRESH}; empty, from memory, when it has no block limit.
   */
  public Optional<Room> roomOf(String orgId, Currency currency) throws SQLException {
    BigDecimal limit = limits.get(orgId);
    if (limit == null) {
      return Optional.empty();
    }
    Estimate estimate = estimates.computeIfAbsent(orgId, id -> new Estimate());
    synchronized (estimate) {
      Instant now = clock.instant();
      if (!currency.equals(estimate.currency) || !now.isBefore(estimate.readAt.plus(FRESH))) {
        estimate.total =
            SpendEstimate.of(calculator.periodSoFar(orgId, currency, now), currency).total();
        estimate.currency = currency;
        estimate.readAt = now;
      }
      return Optional.of(new Room(limit, estimate.total));
    }
  }
}
