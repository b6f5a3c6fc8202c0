package io.streamspace.billing.admission;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.hold.AccountHolds;
import io.streamspace.billing.hold.AccountHolds.HeldFor;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.packs.Purchase;
import io.streamspace.billing.quota.OverageConfirmation;
import io.streamspace.billing.quota.QuotaRule;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.event.UsageReport;
import io.streamspace.plugin.api.http.DatabaseOutage;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.AdmissionRequest;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Currency;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a new session may start ({@link AdmissionRules}) from memory: the sessions
 * and usage reports this node is handed, and the overage confirmations and pack purchases it
 * stores, are counted at once, and every {@link #REFRESH_INTERVAL} the view is reloaded from the
 * database in one snapshot, so what other nodes saw (and sessions whose heartbeats stopped for
 * {@code sessionHeartbeatTimeoutMinutes}) is counted (or no longer) within that interval plus
 * one reload after it is stored. Limits are the plan's, read from the config in effect at each
 * decision, raised by the account's packs active at that instant: each pack's validity is held
 * in memory, so an expiry acts at its instant with no read, and a purchase, renewal or
 * cancellation made on another node within a reload. The billing period (whose counters and
 * confirmations count) is read from the clock.
 */
public final class Admission implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Admission.class);

  /** How often the view is reloaded from the database. */
  public static final Duration REFRESH_INTERVAL = Duration.ofSeconds(5);

  /**
   * How long the sessions, storage levels and pack changes this node saw win over the database:
   * the write-behind queue stores them well within that (its delay is 50 ms), so a reload after
   * it finds them there. A usage report is kept until a reload finds it stored (AccountUse).
   */
  static final Duration KEEP_SEEN_HERE = REFRESH_INTERVAL;

  private final AdmissionView view = new AdmissionView();
  private final StoredUseQuery stored;
  private final ClosedOrganizations closed;
  private final AccountHolds holds;
  private final Supplier<BillingConfig> config;
  private final Clock clock;
  private ScheduledExecutorService refresher;

  public Admission(
      DataSource dataSource, AccountHolds holds, Supplier<BillingConfig> config, Clock clock) {
    this.stored = new StoredUseQuery(dataSource);
    this.closed = new ClosedOrganizations(dataSource);
    this.holds = holds;
    this.config = config;
    this.clock = clock;
  }

  /**
   * Denies a session of a closed organization ({@code organization_closed}), of a held account
   * (suspended or locked: {@link AccountHolds}), or one that
   * would pass a hard limit, or while a soft counter's overage waits for the account's
   * confirmation; allows it otherwise.
   */
  public AdmissionDecision admit(AdmissionRequest request) {
    BillingConfig current = config.get();
    if (!current.enabled()) {
      return AdmissionDecision.allow();
    }
    String accountId = accountOf(request.orgId(), request.userId());
    Optional<Instant> closedAt = closed.closedAt(accountId, clock.instant());
    if (closedAt.isPresent()) {
      return AdmissionDecision.deny(
          ClosedOrganizations.CODE, "The organization was closed at " + closedAt.get() + ".");
    }
    Optional<HeldFor> held = holds.heldFor(accountId);
    if (held.isPresent()) {
      return AdmissionDecision.deny(held.get().reason().admissionCode(), held.get().detail());
    }
    Instant now = clock.instant();
    BillingPeriods periods = periods(current);
    ConcurrentUse use =
        view.use(
            accountId, request.sessionId(), periods.periodStart(now), periods.periodEnd(now), now);
    String planId = use.planId() != null ? use.planId() : current.defaultPlan();
    Currency currency = use.currency() != null ? use.currency() : current.currency();
    return AdmissionRules.decide(
        use,
        request.resources(),
        planId,
        current.limitsOf(planId).raisedBy(use.packAdds()),
        current.meters(),
        new OverageTerms(
            new QuotaRule(current.alertThreshold()), currency, current.meterRatesIn(currency)));
  }

  /** A usage report this node's plugin was handed: counted at once. */
  public void usageReported(UsageReport report) {
    config
        .get()
        .meters()
        .named(report.meter())
        .ifPresent(
            meter ->
                view.usage(
                    accountOf(report.orgId(), report.userId()),
                    report.id(),
                    meter,
                    report.quantity(),
                    report.occurredAt()));
  }

  /**
   * An org.deleted this node was handed: the organization's new sessions are refused from its
   * instant on, here at once and on the other nodes after their next reload.
   */
  public void organizationDeleted(String orgId, Instant at) {
    closed.deleted(orgId, at, clock.instant());
  }

  /** An overage confirmation this node stored: it acts at once. */
  public void overageConfirmed(OverageConfirmation confirmation) {
    view.confirmed(confirmation.accountId(), confirmation.meter(), confirmation.periodStart());
  }

  /**
   * A purchase this node bought, renewed or cancelled: it acts at once, and its end (an expiry,
   * a cancellation) at its instant.
   */
  public void packChanged(Purchase purchase) {
    // a purchase is keyed by the account it was bought for
    view.pack(purchase.userId(), purchase.id(), PackGrant.of(purchase), clock.instant());
  }

  /**
   * A session was created or is alive: counted from now on, even if admission refused it (it
   * runs, so it is metered and counted).
   */
  public void sessionSeen(SessionEvent event) {
    Instant now = clock.instant();
    SessionSize size = SessionSize.of(event.resources());
    view.open(accountOf(event), event.sessionId(), size, event.occurredAt(), now);
    storageOf(event, now);
  }

  public void sessionTerminated(SessionEvent event) {
    Instant now = clock.instant();
    view.end(accountOf(event), event.sessionId(), now);
    storageOf(event, now);
  }

  /** The account's storage level, when the event reports one (it outlives the session). */
  private void storageOf(SessionEvent event, Instant now) {
    if (event.resources() != null) {
      view.storage(accountOf(event), event.resources().storageGb(), event.occurredAt(), now);
    }
  }

  /** The account a session event counts against, as metering bills it. */
  private static String accountOf(SessionEvent event) {
    return accountOf(event.orgId(), event.userId());
  }

  /**
   * The account a user's session or report counts against: the organization it runs under, else
   * the user's personal organization, keyed by the user's id (see {@link
   * io.streamspace.billing.account.Account}), as metering stores them. The one place admission
   * maps a user. A session event without org_id after a session.created with one counts under
   * the personal account until the next refresh reads the session under its organization.
   */
  private static String accountOf(String orgId, String userId) {
    return orgId != null ? orgId : userId;
  }

  /** Reloads the view from the database, keeping what this node saw since the last reloads. */
  public void refresh() throws SQLException {
    Instant now = clock.instant();
    BillingConfig current = config.get();
    Instant staleBefore = now.minus(current.sessionHeartbeatTimeout());
    BillingPeriods periods = periods(current);
    Instant periodStart = periods.periodStart(now);
    view.refresh(
        stored.load(
            now,
            staleBefore,
            periodStart,
            periods.periodEnd(now),
            view::reportIds,
            current.meters().maxCounterIds()),
        periodStart,
        now.minus(KEEP_SEEN_HERE));
    holds.reload();
    closed.reload(now.minus(KEEP_SEEN_HERE));
  }

  private static BillingPeriods periods(BillingConfig config) {
    return new BillingPeriods(config.invoiceDay(), config.billingTimeZone());
  }

  /** Loads the view now and reloads it every {@link #REFRESH_INTERVAL} on a daemon thread. */
  public synchronized void start() {
    refreshLogged();
    refresher =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "billing-admission-refresh");
              thread.setDaemon(true);
              return thread;
            });
    long millis = REFRESH_INTERVAL.toMillis();
    refresher.scheduleWithFixedDelay(this::refreshLogged, millis, millis, TimeUnit.MILLISECONDS);
  }

  private void refreshLogged() {
    try {
      refresh();
    } catch (SQLException | RuntimeException e) {
      if (DatabaseOutage.causedBy(e)) {
        // one line per reload for as long as the outage lasts, not a stack trace each
        log.warn("admission view not reloaded, the database cannot be reached ({})", e.toString());
      } else {
        log.warn("admission view not reloaded, the last one stays in use", e);
      }
    }
  }

  /** How many accounts the view holds. */
  int accounts() {
    return view.size();
  }

  @Override
  public synchronized void close() {
    if (refresher != null) {
      refresher.shutdownNow();
      refresher = null;
    }
  }
}
