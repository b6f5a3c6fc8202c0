package io.streamspace.billing.live;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.invoicing.InvoiceCalculator;
import io.streamspace.billing.spend.PeriodCostSoFar;
import io.streamspace.billing.spend.SpendingLimits;
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
 * Live cost, fresh within a second, from memory: each organization asked about keeps its {@link
 * LiveBasis} here, and every answer works the cost out from it at the clock's instant ({@link
 * LiveCostModel}), so the time its sessions ran is counted up to that instant. A basis read more
 * than {@link #FRESH} before (by the clock), or of an earlier billing period, is read again
 * first: whatever reached the database (events the write-behind queue stored, a rating run
 * committed, a counter reported, on any node) shows within a second. At most one read per
 * organization at a time, however many ask (a stream, the page, the platform): the others wait
 * for it and share it. An organization nobody asked about for {@link #IDLE} is dropped at the
 * next read of any. Its total is also the estimate admission checks a block spending limit against
 * ({@link PeriodCostSoFar}).
 */
public final class LiveCosts implements PeriodCostSoFar {

  /** How old a basis may be, at most, for an answer. */
  public static final Duration FRESH = Duration.ofSeconds(1);

  /** How long an organization nobody asks about is kept. */
  static final Duration IDLE = Duration.ofMinutes(1);

  /** One organization's basis, guarded by its own monitor. */
  private static final class Kept {
    private LiveBasis basis;
    private Map<String, RatedSoFar> rated = Map.of();
    private volatile Instant askedAt = Instant.MIN;
  }

  private final Map<String, Kept> kept = new ConcurrentHashMap<>();
  private final LiveBasisReads reads;
  private final Clock clock;

  public LiveCosts(
      DataSource dataSource,
      InvoiceCalculator calculator,
      SpendingLimits spending,
      BalanceSource balances,
      MemberBudgets budgets,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.reads = new LiveBasisReads(dataSource, calculator, spending, balances, budgets, config);
    this.clock = clock;
  }

  /** The organization's live cost now; empty when it has no billing account. */
  public Optional<LiveCost> of(String orgId) throws SQLException {
    Kept org = kept.computeIfAbsent(orgId, id -> new Kept());
    synchronized (org) {
      Instant now = clock.instant();
      org.askedAt = now;
      if (org.basis == null || !fresh(org.basis, now)) {
        Optional<LiveBasisReads.Read> read = reads.read(orgId, now, org.rated);
        if (read.isEmpty()) {
          kept.remove(orgId, org);
          return Optional.empty();
        }
        org.basis = read.get().basis();
        org.rated = read.get().rated();
        dropIdle(now);
      }
      return Optional.of(LiveCostModel.at(org.basis, now));
    }
  }

  /** The organization's live total now, in {@code currency} when it is billed in it. */
  @Override
  public Optional<BigDecimal> total(String orgId, Currency currency) throws SQLException {
    return of(orgId).filter(cost -> cost.currency().equals(currency)).map(LiveCost::total);
  }

  /**
   * Something the organization's cost is read from changed (money arrived on its balance): its
   * next answer reads its basis again, rather than one read less than {@link #FRESH} before.
   */
  public void changed(String orgId) {
    Kept org = kept.get(orgId);
    if (org != null) {
      synchronized (org) {
        org.basis = null;
      }
    }
  }

  /** Whether a basis answers for {@code now}: read within {@link #FRESH}, of its period. */
  private static boolean fresh(LiveBasis basis, Instant now) {
    return basis.covers(now)
        && !now.isBefore(basis.readAt())
        && now.isBefore(basis.readAt().plus(FRESH));
  }

  private void dropIdle(Instant now) {
    Instant before = now.minus(IDLE);
    kept.values().removeIf(org -> org.askedAt.isBefore(before));
  }

  /** How many organizations it keeps (tests read it). */
  int size() {
    return kept.size();
  }
}
