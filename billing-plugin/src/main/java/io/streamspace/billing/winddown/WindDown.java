package io.streamspace.billing.winddown;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.events.BalanceLow;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.hold.AccountHolds;
import io.streamspace.billing.hold.HoldReason;
import io.streamspace.billing.live.LiveCost;
import io.streamspace.billing.live.LiveCost.Runway;
import io.streamspace.billing.live.LiveCosts;
import io.streamspace.billing.winddown.WindDownStore.Candidate;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wind-down of a prepaid organization's sessions as its balance runs out: a warning, then a
 * suspension, never a kill. Decided by live cost's runway to the balance ({@link
 * LiveCost#BALANCE}), at the rate the organization spends now:
 *
 * <ul>
 *   <li>under {@code warnMinutes} while it runs sessions: {@code billing.balance.low}, once per
 *       episode (a row written conditionally, so once across nodes, which records when it was
 *       published: a node stopping before that leaves it to the next check), again only after
 *       the runway was found back above and fell again;
 *   <li>at zero: unless money arrived on its ledger since the check read it (looked at under
 *       the balance's lock as the hold is placed; lifting likewise looks that none left), the
 *       organization is held ({@link HoldReason#BALANCE_EXHAUSTED}, through {@link
 *       AccountHolds}, so once across nodes and redone by its enforce): its sessions suspended
 *       with a snapshot ({@code billing.session.suspended}), new ones refused ({@code
 *       insufficient_balance}), and its sessions billed for storage only while it lasts;
 *   <li>above zero again, money having arrived: the hold is lifted, its sessions resume ({@code
 *       billing.session.resumed}) at once ({@link #moneyArrived}, told after each top-up or grant
 *       commits), or at the next check if that was missed.
 * </ul>
 *
 * {@link #check} is run by check-balances over the organizations on a prepaid plan with a
 * session open, and those it left held or warned.
 */
public final class WindDown {

  /** What the user is told their sessions were suspended and new ones are refused for. */
  public static final String SPENT =
      "The prepaid balance is spent: your sessions are suspended with a snapshot and resume where"
          + " they stopped as soon as money is put on it (a top-up).";

  private static final Logger log = LoggerFactory.getLogger(WindDown.class);

  private final WindDownStore store;
  private final LiveCosts live;
  private final AccountHolds holds;
  private final BillingEvents events;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public WindDown(
      DataSource dataSource,
      LiveCosts live,
      AccountHolds holds,
      BillingEvents events,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.store = new WindDownStore(dataSource);
    this.live = live;
    this.holds = holds;
    this.events = events;
    this.config = config;
    this.clock = clock;
  }

  /** What one check did: low balances announced, organizations suspended and resumed. */
  public record Checked(int warned, int suspended, int resumed) {}

  /** Checks every organization concerned; {@code cause}: the run, as the audit trail tells it. */
  public Checked check(Cause cause) throws SQLException {
    BillingConfig current = config.get();
    List<String> prepaidPlans =
        current.subscriptionPlans().stream()
            .filter(SubscriptionPlan::prepaid)
            .map(SubscriptionPlan::id)
            .toList();
    long warnSeconds = current.warnRunway().toSeconds();
    int warned = 0;
    int suspended = 0;
    int resumed = 0;
    for (Candidate org : store.candidates(prepaidPlans)) { // each with its ledger read first
      Optional<LiveCost> cost = freshCost(org.orgId());
      Runway runway = prepaidPlans.contains(org.planId()) ? balanceRunway(cost) : null;
      boolean spent = runway != null && runway.seconds() == 0;
      if (spent && !org.held() && place(org.orgId(), org.ledger(), cause)) {
        suspended++;
      } else if (!spent && org.held() && lift(org.orgId(), org.ledger(), cause)) {
        resumed++;
      }
      boolean low =
          runway != null && runway.seconds() < warnSeconds && !cost.get().sessions().isEmpty();
      if (low) {
        boolean opened = !org.warned() && open(cost.get(), runway);
        if ((opened || org.unannounced()) && announce(cost.get())) {
          warned++;
        }
      } else if (org.warned()) {
        store.end(org.orgId(), clock.instant());
      }
    }
    return new Checked(warned, suspended, resumed);
  }

  /**
   * Money arrived on the organization's balance (committed): its sessions suspended for a spent
   * balance resume at once when the runway is above zero again. Never fails the caller, whose
   * money is in: a failure is logged, and the next check lifts the hold.
   */
  public void moneyArrived(String orgId) {
    try {
      if (holds.active(orgId, HoldReason.BALANCE_EXHAUSTED).isEmpty()) {
        return; // running on: nothing held
      }
      BigDecimal ledger = store.ledger(orgId); // before the live read
      Runway runway = balanceRunway(freshCost(orgId));
      if (runway == null || runway.seconds() > 0) {
        lift(orgId, ledger, AccountHolds.BY_BILLING);
      }
    } catch (SQLException | RuntimeException e) {
      log.warn("{}: money arrived, its sessions not resumed yet; check-balances will", orgId, e);
    }
  }

  /**
   * Holds the organization for its spent balance, unless money arrived on its ledger since
   * {@code ledger} was read, before the live cost that found it spent ({@link
   * WindDownStore#unmoved}, under the balance's lock).
   */
  private boolean place(String orgId, BigDecimal ledger, Cause cause) throws SQLException {
    return holds
        .place(
            orgId,
            HoldReason.BALANCE_EXHAUSTED,
            SPENT,
            connection -> WindDownStore.unmoved(connection, orgId, ledger, true),
            cause)
        .isPresent();
  }

  /** Lifts the hold, unless money left the ledger since {@code ledger} was read (as above). */
  private boolean lift(String orgId, BigDecimal ledger, Cause cause) throws SQLException {
    return holds
        .lift(
            orgId,
            HoldReason.BALANCE_EXHAUSTED,
            AccountHolds.LIFTED_BY_BILLING,
            null,
            connection -> WindDownStore.unmoved(connection, orgId, ledger, false),
            cause)
        .isPresent();
  }

  /** Opens the episode: whether this call opened it (else another node did). */
  private boolean open(LiveCost cost, Runway runway) throws SQLException {
    return store.open(
        cost.orgId(),
        cost.currency().getCurrencyCode(),
        cost.balance(),
        runway.seconds(),
        clock.instant());
  }

  /**
   * Publishes {@code billing.balance.low} for the organization's open episode not announced yet
   * (just opened, or left so by a node that stopped before it published), with the figures it
   * was found low by and the sessions running now; whether this call did.
   */
  private boolean announce(LiveCost cost) throws SQLException {
    List<String> sessions = cost.sessions().stream().map(LiveCost.SessionCost::sessionId).toList();
    return store.announce(
        cost.orgId(),
        clock.instant(),
        episode ->
            events.balanceLow(
                new BalanceLow(
                    cost.orgId(),
                    episode.currency(),
                    episode.balance(),
                    episode.runwaySeconds(),
                    episode.warnedAt().plusSeconds(episode.runwaySeconds()),
                    sessions,
                    episode.warnedAt())));
  }

  /** The organization's live cost from what the database holds now, not from a second ago. */
  private Optional<LiveCost> freshCost(String orgId) throws SQLException {
    live.changed(orgId);
    return live.of(orgId);
  }

  /** The runway to its prepaid balance; null when it keeps none or never spends it. */
  private static Runway balanceRunway(Optional<LiveCost> cost) {
    return cost.flatMap(
            c -> c.runways().stream().filter(r -> LiveCost.BALANCE.equals(r.what())).findFirst())
        .orElse(null);
  }
}
