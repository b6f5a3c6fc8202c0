package io.streamspace.billing.admission;

import io.streamspace.billing.account.SeatLimit;
import io.streamspace.billing.caps.MemberCap;
import io.streamspace.billing.caps.MemberCapUse;
import io.streamspace.billing.caps.MemberCapsInMemory;
import io.streamspace.billing.catalog.Limit;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.hold.AccountHolds;
import io.streamspace.billing.pace.BackgroundLane;
import io.streamspace.billing.packs.Purchase;
import io.streamspace.billing.quota.OverageConfirmation;
import io.streamspace.billing.quota.QuotaRule;
import io.streamspace.billing.spend.PeriodCostSoFar;
import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.event.UsageReport;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.AdmissionRequest;
import io.streamspace.plugin.api.session.MemberAdmissionRequest;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Decides whether a new session may start ({@link AdmissionRules}) from memory: the sessions
 * and usage reports this node is handed, and the overage confirmations and pack purchases it
 * stores, are counted at once, and {@link AdmissionReloads#REFRESH_INTERVAL} after each reload
 * (longer after a slow one: {@link AdmissionReloads#pauseAfter}) the view is reloaded from the
 * database in one snapshot ({@link AdmissionViewLoads}), so what
 * other nodes saw (and sessions whose heartbeats stopped for {@code
 * sessionHeartbeatTimeoutMinutes}) is counted (or no longer) within that pause plus one reload
 * after it is stored. Limits are those of the version of its plan the account's plan term is on
 * ({@link VersionsHeld}: the versions' limits are reloaded with the view, so a migration to
 * another version acts within a reload, as a plan change does), resolved with the config in
 * effect at each decision (a kind not given: the billing mode's default), raised by the
 * account's packs active at that instant: each pack's validity is held
 * in memory, so an expiry acts at its instant with no read, and a purchase, renewal or
 * cancellation made on another node within a reload. The billing period (whose counters and
 * confirmations count) is read from the clock.
 *
 * <p>A member of a team organization may also be capped there ({@link MemberCap}): the member
 * of each open session is held with it (none for a personal organization's, whose member is the
 * account), so a capped member's use under the organization is counted from memory as its
 * account's is; the caps are reloaded with the rest of the view, and a cap set or removed on this
 * node acts at once. A session within the organization's limits that would take its member past
 * their cap is denied ({@link MemberCapRule}).
 * <p>It decides whether an organization may take one more member ({@link SeatRules}) the same
 * way: the membership events this node is handed count at once (merged with the stored ones by
 * event time, so each counts once), the seat limits its Owner sets here act at once, and other
 * nodes' within a reload.
 *
 * <p>The view holds the accounts that matter now ({@link AdmissionView}): one with no open
 * session, nothing seen here the database may not hold yet and no check for a reload interval
 * leaves it at a reload, and the next check that asks about it reads it again from the database
 * (one indexed read of that account, a few milliseconds, made by that check alone: checks of
 * other accounts do not wait for it, and concurrent checks of the account wait for the one
 * read). The reload reads the accounts the view holds and every account with an open session, so
 * memory grows with the accounts in use, not with every account ever stored.
 *
 * <p>A session that every rule allows is then admitted only if what it needs can be reserved,
 * each with one conditional update of a row, so that concurrent starts on any nodes never
 * overshoot: its first minutes' cost against its organization's spending limit when that limit
 * blocks, and its size against its member's caps ({@link LimitStep}); then, on a prepaid plan,
 * its first minutes' cost from the prepaid balance ({@link PrepaidStep}; refused there, or
 * failing, the limits' reservation is undone). These steps alone read and write the database: an
 * organization without a block limit, a member without a cap and a plan that is not prepaid are
 * decided from memory alone.
 */
public final class Admission implements AutoCloseable, MemberCapsInMemory {

  private final AdmissionView view = new AdmissionView();
  private final SessionOrgs sessionOrgs = new SessionOrgs();
  private final ClosedOrganizations closed;
  private final VersionsHeld versions;
  private final AccountHolds holds;
  private final Supplier<BillingConfig> config;
  private final Clock clock;
  private final AdmissionViewLoads loads;
  private final AdmissionReloads reloads;
  private final PrepaidStep prepaid;
  private final LimitStep limits;

  /** On a lane of its own: its reloads wait for no other work (tests of admission alone). */
  public Admission(
      DataSource dataSource,
      AccountHolds holds,
      Supplier<BillingConfig> config,
      Clock clock,
      PeriodCostSoFar costs) {
    this(dataSource, holds, config, clock, costs, BackgroundLane.quiet());
  }

  /**
   * @param costs each organization's period cost so far, rated and unrated (live cost's total),
   *     which a block spending limit is checked against
   * @param lane the background lane its reloads take turns on
   */
  public Admission(
      DataSource dataSource,
      AccountHolds holds,
      Supplier<BillingConfig> config,
      Clock clock,
      PeriodCostSoFar costs,
      BackgroundLane lane) {
    this.prepaid = new PrepaidStep(dataSource, config, clock);
    this.limits = new LimitStep(dataSource, costs, clock);
    this.closed = new ClosedOrganizations(dataSource);
    this.versions = new VersionsHeld(dataSource);
    this.holds = holds;
    this.config = config;
    this.clock = clock;
    this.loads =
        new AdmissionViewLoads(
            dataSource, view, sessionOrgs, holds, closed, versions, config, clock, lane);
    this.reloads = new AdmissionReloads(this::reload);
  }

  /**
   * Denies a session of a closed organization ({@code organization_closed}), of a held account
   * (suspended or locked: {@link AccountHolds}), or one that would pass a hard limit by its
   * requested size (naming the plan and the pack, in the account's currency, that would allow
   * it), or while a soft counter's overage waits for the account's confirmation, or that would
   * take its member past their cap; with a {@code session_id}, allows it only once its hold is
   * reserved against a {@code block} spending limit and its size against its member's caps
   * ({@link LimitStep}), and on a prepaid plan its hold from the prepaid balance ({@link
   * PrepaidStep}); allows it otherwise.
   */
  public AdmissionDecision admit(AdmissionRequest request) {
    BillingConfig current = config.get();
    if (!current.enabled()) {
      return AdmissionDecision.allow();
    }
    String orgId = request.billedOrgId();
    Optional<AdmissionDecision> closedDenial = refusedAsClosed(orgId);
    if (closedDenial.isPresent()) {
      return closedDenial.get();
    }
    var held = holds.heldFor(orgId);
    if (held.isPresent()) {
      return AdmissionDecision.deny(held.get().reason().admissionCode(), held.get().detail());
    }
    loads.readIfNotHeld(orgId);
    Instant now = clock.instant();
    var periods = AdmissionViewLoads.periods(current);
    ConcurrentUse use =
        view.use(orgId, request.sessionId(), periods.periodStart(now), periods.periodEnd(now), now);
    String planId = use.planId() != null ? use.planId() : current.defaultPlan();
    Currency currency = use.currency() != null ? use.currency() : current.currency();
    AdmissionDecision byOrganization =
        AdmissionRules.decide(
            use,
            request.resources(),
            versions.named(current, planId, use.planVersion()),
            versions.limitsOf(current, planId, use.planVersion()).raisedBy(use.packAdds()),
            current.meters(),
            new OverageTerms(
                new QuotaRule(current.alertThreshold()), currency, current.meterRatesIn(currency)),
            () -> offers(current, currency));
    if (!byOrganization.allowed()) {
      return byOrganization;
    }
    String member = memberOf(orgId, request.userId());
    MemberUse memberUse =
        member == null ? null : view.memberUse(orgId, member, request.sessionId());
    AdmissionDecision byMember =
        MemberCapRule.decide(memberUse, request.resources(), member, orgId);
    if (!byMember.allowed()) {
      return byMember; // a session refused from memory reserves nothing
    }
    // last, once nothing in memory refuses it: the limits, then the prepaid balance
    LimitStep.Taken limited =
        limits.reserve(
            request, current, orgId, currency, member, memberUse, periods.periodStart(now));
    if (!limited.decision().allowed()) {
      return limited.decision();
    }
    AdmissionDecision decided = null;
    try {
      decided = prepaid.after(byMember, request, current, orgId, planId, currency);
      return decided;
    } finally {
      // refused by the balance, or the step failed (the host answers 503): the limits give back
      // at once, so a retry under another session id does not count twice
      if (limited.reserved() && (decided == null || !decided.allowed())) {
        limits.cancel(orgId, request.sessionId(), decided == null);
      }
    }
  }

  @Override
  public void capSet(MemberCap cap) {
    view.cap(cap.orgId(), cap.userId(), cap.limits(), clock.instant());
  }

  @Override
  public void capRemoved(String orgId, String userId) {
    view.cap(orgId, userId, Map.of(), clock.instant());
  }

  /** The member's cap and their use under the organization, as {@link #admit} counts them. */
  @Override
  public Optional<MemberCapUse> capUse(String orgId, String userId) {
    loads.readIfNotHeld(orgId);
    MemberUse use = view.memberUse(orgId, userId, null);
    if (use == null) {
      return Optional.empty();
    }
    List<MemberCapUse.Capped> meters = new ArrayList<>();
    use.cap()
        .forEach((meter, cap) -> meters.add(new MemberCapUse.Capped(meter, cap, use.used(meter))));
    return Optional.of(new MemberCapUse(userId, meters));
  }

  /**
   * Denies a member who would take the organization past its plan's hard members limit or the
   * seat limit its Owner set, naming the cheapest plan that would allow them; allows a user who
   * already is a member.
   */
  public AdmissionDecision admitMember(MemberAdmissionRequest request) {
    BillingConfig current = config.get();
    if (!current.enabled()) {
      return AdmissionDecision.allow();
    }
    Optional<AdmissionDecision> closedDenial = refusedAsClosed(request.orgId());
    if (closedDenial.isPresent()) {
      return closedDenial.get(); // a closed organization takes no member either
    }
    loads.readIfNotHeld(request.orgId());
    SeatUse seats = view.seats(request.orgId(), request.userId(), clock.instant());
    String planId = seats.planId() != null ? seats.planId() : current.defaultPlan();
    Currency currency = seats.currency() != null ? seats.currency() : current.currency();
    // read only when the plan's limit refuses, as for sessions
    Supplier<List<SeatRules.Offer>> offers =
        () ->
            planOffers(current, currency).stream()
                .map(o -> new SeatRules.Offer(o.plan(), o.price(), o.limits().of(Meter.MEMBERS)))
                .toList();
    // the limit of the version it is on, as for sessions; packs add no seats
    Limit planLimit = versions.limitsOf(current, planId, seats.planVersion()).of(Meter.MEMBERS);
    return SeatRules.decide(
        request.orgId(),
        seats,
        versions.named(current, planId, seats.planVersion()),
        planLimit,
        offers);
  }

  /**
   * The plans and packs priced in {@code currency}, with their limits and what they add: read
   * only when a session is refused by size, so an admission that passes builds none.
   */
  private static AdmissionRules.Offers offers(BillingConfig config, Currency currency) {
    List<AdmissionRules.PackOffer> packs =
        config.capacityPacks().stream()
            .flatMap(
                pack ->
                    pack
                        .priceIn(currency)
                        .map(
                            price ->
                                new AdmissionRules.PackOffer(
                                    pack.id(), pack.name(), price, pack.adds()))
                        .stream())
            .toList();
    return new AdmissionRules.Offers(planOffers(config, currency), packs);
  }

  /** The plans priced in {@code currency}, in the config's order, with their limits. */
  private static List<AdmissionRules.PlanOffer> planOffers(
      BillingConfig config, Currency currency) {
    return config.subscriptionPlans().stream()
        .flatMap(
            plan ->
                config
                    .priceOf(plan, currency)
                    .map(
                        price ->
                            new AdmissionRules.PlanOffer(
                                new NamedPlan(plan.id(), plan.name()),
                                price,
                                config.limitsOf(plan.id())))
                    .stream())
        .toList();
  }

  /**
   * An organization event this node's plugin was handed: a membership counts at once ({@code
   * org.created} is its owner's first), decided by event time against what is known.
   */
  public void organizationEvent(OrganizationEvent event) {
    String userId;
    boolean member;
    switch (event.type()) {
      case CREATED -> {
        userId = event.organization().ownerUserId();
        member = true;
      }
      case MEMBER_ADDED, MEMBER_ROLE_CHANGED, MEMBER_REMOVED -> {
        userId = event.membership().userId();
        member = event.membership().role() != null;
      }
      default -> {
        // org.deleted changes no membership: it closes the organization to new sessions
        organizationDeleted(event.orgId(), event.occurredAt());
        return;
      }
    }
    view.membership(
        event.orgId(),
        userId,
        new MemberEvent(event.occurredAt(), event.id(), member, clock.instant()));
  }

  /** The Owner set (or, null, removed) the organization's seat limit on this node. */
  public void seatLimitChanged(String orgId, SeatLimit limit) {
    view.seatLimit(orgId, limit == null ? null : limit.limit(), clock.instant());
  }

  /** {@code organization_closed} when the organization is closed by now. */
  private Optional<AdmissionDecision> refusedAsClosed(String orgId) {
    return closed
        .closedAt(orgId, clock.instant())
        .map(
            at ->
                AdmissionDecision.deny(
                    ClosedOrganizations.CODE, "The organization was closed at " + at + "."));
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
                    report.billedOrgId(),
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
    view.confirmed(confirmation.orgId(), confirmation.meter(), confirmation.periodStart());
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
   * A session was created: counted from now on under the organization it names, which its later
   * events count against too. When a heartbeat of it without {@code org_id} came first, this
   * node counted it under its user's personal organization: no longer.
   */
  public void sessionCreated(SessionEvent event) {
    Instant now = clock.instant();
    String orgId = event.billedOrgId();
    sessionOrgs.fixed(event.sessionId(), orgId, now);
    if (!orgId.equals(event.userId())) {
      view.forget(event.userId(), event.sessionId());
    }
    sessionSeen(event);
  }

  /**
   * A session was created or is alive: counted from now on, even if admission refused it (it
   * runs, so it is metered and counted).
   */
  public void sessionSeen(SessionEvent event) {
    Instant now = clock.instant();
    SessionSize size = SessionSize.of(event.resources());
    String orgId = accountOf(event);
    view.open(
        orgId, event.sessionId(), memberOf(orgId, event.userId()), size, event.occurredAt(), now);
    storageOf(event, now);
  }

  public void sessionTerminated(SessionEvent event) {
    Instant now = clock.instant();
    String orgId = accountOf(event);
    view.end(orgId, event.sessionId(), memberOf(orgId, event.userId()), now);
    storageOf(event, now);
  }

  /**
   * The member a session of {@code userId} counts for in the account: null when it is the
   * account itself (a personal organization's user), whom no cap concerns.
   */
  private static String memberOf(String orgId, String userId) {
    return orgId.equals(userId) ? null : userId;
  }

  /** The account's storage level, when the event reports one (it outlives the session). */
  private void storageOf(SessionEvent event, Instant now) {
    if (event.resources() != null) {
      view.storage(
          accountOf(event), event.resources().storageGb(), event.occurredAt(), event.id(), now);
    }
  }

  /**
   * The account a session event counts against, as metering bills it: the organization its
   * session.created named, whatever a later event names, else the event's.
   */
  private String accountOf(SessionEvent event) {
    return sessionOrgs.of(event.sessionId()).orElseGet(event::billedOrgId);
  }

  /**
   * Reloads the accounts the view holds and every account with an open session from the
   * database, keeping what this node saw since the last reloads; the accounts that no longer
   * matter leave the view ({@link AdmissionViewLoads}).
   */
  public void refresh() throws SQLException {
    try {
      reload();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reloading admission's view", e);
    }
  }

  /** {@link #refresh}, answering how long it paused between slices of its reads. */
  private Duration reload() throws SQLException, InterruptedException {
    Duration paused = loads.reload();
    limits.reload();
    return paused;
  }

  /** Drops every account from the view, as if each had left (tests force eviction with it). */
  void evictAll() {
    view.evictAll();
  }

  /**
   * Loads the view now, then reloads it on a daemon thread, each reload {@link
   * AdmissionReloads#pauseAfter} the one before.
   */
  public void start() {
    reloads.start();
  }

  /** The pause the view waits now before its next reload. */
  Duration pause() {
    return reloads.pause();
  }

  /** How many accounts the view holds (tests and the memory measurement read it). */
  public int accounts() {
    return view.size();
  }

  /**
   * Stops the reloads before the plugin's pool can go: no new one starts, the one running is
   * waited for (at most {@link AdmissionReloads#STOP_WAIT}, then interrupted), and one the stop
   * cuts short logs no failure.
   */
  @Override
  public void close() {
    reloads.close();
  }
}
