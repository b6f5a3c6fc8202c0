package io.streamspace.billing;

import io.streamspace.billing.account.Memberships;
import io.streamspace.billing.account.SeatLimit;
import io.streamspace.billing.admission.Admission;
import io.streamspace.billing.audit.ConfigChangeAudit;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.config.BillingConfigParser;
import io.streamspace.billing.config.BillingConfigSchema;
import io.streamspace.billing.config.ConfigParseResult;
import io.streamspace.billing.config.CronValidator;
import io.streamspace.billing.config.EffectiveConfigWriter;
import io.streamspace.billing.db.BillingMigrations;
import io.streamspace.billing.db.BillingPurge;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.hold.AccountHolds;
import io.streamspace.billing.http.EventStreams;
import io.streamspace.billing.http.OrganizationRoutes;
import io.streamspace.billing.http.UiRoutes;
import io.streamspace.billing.jobs.CalculateUsageJob;
import io.streamspace.billing.jobs.CheckQuotasJob;
import io.streamspace.billing.jobs.GenerateInvoicesJob;
import io.streamspace.billing.metering.MeteringStore;
import io.streamspace.billing.metering.SessionMeter;
import io.streamspace.billing.metering.UsageCounters;
import io.streamspace.billing.pace.BackgroundLane;
import io.streamspace.billing.packs.PackPurchases;
import io.streamspace.billing.packs.Purchase;
import io.streamspace.billing.planversions.PlanVersions;
import io.streamspace.billing.quota.OverageConfirmation;
import io.streamspace.billing.quota.QuotaReadings;
import io.streamspace.billing.quota.Quotas;
import io.streamspace.billing.store.payout.PayoutsDue;
import io.streamspace.billing.store.purchase.StorePurchases;
import io.streamspace.billing.stripe.StripeEndpoint;
import io.streamspace.plugin.api.PlatformPlugin;
import io.streamspace.plugin.api.PluginContext;
import io.streamspace.plugin.api.config.ConfigKey;
import io.streamspace.plugin.api.config.ConfigProblem;
import io.streamspace.plugin.api.config.ConfigSaving;
import io.streamspace.plugin.api.config.ConfigSchema;
import io.streamspace.plugin.api.config.ConfigurablePlugin;
import io.streamspace.plugin.api.data.PurgeablePlugin;
import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.event.UsageReport;
import io.streamspace.plugin.api.event.UserEvent;
import io.streamspace.plugin.api.session.AdmissionCheck;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.AdmissionRequest;
import io.streamspace.plugin.api.session.MemberAdmissionRequest;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The billing plugin as the host sees it: a thin shell that wires the metering, rating, job and
 * HTTP adapters to the host's context and holds the config in effect (swapped atomically).
 *
 * <p>One class because it is the one extension the host finds: every hook of the contract
 * (sessions, usage reports, organizations, admission, config, purge) lands here and is handed to
 * the feature that owns it, so it names them all (its imports), while each feature is built, its
 * routes registered and its jobs scheduled by its own wiring class ({@link Wiring}).
 */
@Extension(points = PlatformPlugin.class)
public class BillingExtension
    implements PlatformPlugin, AdmissionCheck, ConfigurablePlugin, PurgeablePlugin {

  private static final Logger log = LoggerFactory.getLogger(BillingExtension.class);

  private final AtomicReference<BillingConfig> config =
      new AtomicReference<>(BillingConfig.defaults());
  private volatile PluginContext context;
  private volatile SessionMeter meter;
  private volatile AccountHolds holds;
  private volatile Admission admission;
  private volatile CalculateUsageJob calculateUsage;
  private volatile GenerateInvoicesJob generateInvoices;
  private volatile CheckQuotasJob checkQuotas;
  private volatile EventStreams liveStreams;
  private volatile LiveWiring live;
  private volatile StripeEndpoint stripeEndpoint = StripeEndpoint.fromSystemProperties();
  // what creators are owed for a closed month: their statements' payouts (tests: fixed dues)
  private volatile PayoutsDue payoutsDue = PayoutsDue.NONE;

  @Override
  public String displayName() {
    return "Billing & Usage Tracking";
  }

  /**
   * Wires the plugin, one feature at a time, in the order they depend on each other (each
   * feature's wiring registers its routes and schedules its jobs).
   */
  @Override
  public void onLoad(PluginContext context) {
    this.context = context;
    ConfigParseResult parsed = parser().parse(context.config().json());
    if (!parsed.isValid()) {
      log.warn("saved billing config has problems, defaults used for: {}", parsed.problems());
    }
    config.set(parsed.config());
    DataSource dataSource = context.dataSource();
    BillingMigrations.migrate(dataSource);
    catchUpPlanVersions(dataSource, context);
    BillingEvents events = new BillingEvents(context.events());
    meter =
        new SessionMeter(
            new MeteringStore(
                dataSource,
                config::get,
                events::membershipRefusal,
                context.clock(),
                credit -> events.publish(BillingEvents.CREDIT_GRANTED, credit)),
            config::get,
            context::deadLetters);
    Wiring wiring = Wiring.of(context, config::get, new BackgroundLane(meter::metering));
    HoldsWiring holding = HoldsWiring.wire(wiring);
    holds = holding.holds();
    admission =
        new Admission(
            dataSource, holds, config::get, context.clock(), wiring.costsSoFar(), wiring.lane());
    admission.start();
    MemberCapsWiring.wire(wiring, holding.readOnlyLock(), admission);
    UsageWiring usage = UsageWiring.wire(wiring, holds);
    calculateUsage = usage.calculateUsage();
    PaymentsWiring payments =
        PaymentsWiring.wire(wiring, holding.paymentLock(), () -> stripeEndpoint);
    CreditsWiring.wire(wiring);
    var ledger = PrepaidWiring.wire(wiring, holding.readOnlyLock());
    AuditWiring.wire(wiring);
    OrganizationsWiring.wire(wiring);
    Quotas quotas = new Quotas(new QuotaReadings(dataSource), config::get, context.clock());
    AdminWiring.wire(wiring, quotas);
    generateInvoices = InvoicingWiring.wire(wiring, usage, payments);
    var advisor = WhatIfWiring.wire(wiring, usage.calculator(), this::parser);
    CorrectionsWiring.wire(wiring, usage, payments);
    QuotaWiring quota =
        QuotaWiring.wire(
            wiring, quotas, holding, usage.spendingLimits(), this::overageConfirmed, admission);
    checkQuotas = quota.checkQuotas();
    var forecasts =
        ForecastWiring.wire(
            wiring, usage.spendingLimits(), holding.readOnlyLock(), ledger, advisor);
    live = LiveWiring.wire(wiring, usage, ledger, forecasts, holds);
    liveStreams = live.streams();
    PackPurchases packs = PacksWiring.wire(wiring, holding.readOnlyLock(), this::packChanged);
    PlansWiring plans =
        PlansWiring.wire(wiring, quota.suspensions(), holding.readOnlyLock(), usage.calculator());
    SeatLimitWiring.wire(wiring, holding.readOnlyLock(), this::seatLimitChanged);
    payoutsDue = StoreWiring.payoutsOfStatements(wiring);
    StorePurchases store =
        StoreWiring.wire(
            wiring,
            holding.readOnlyLock(),
            (c, period) -> payoutsDue.due(c, period),
            payments.clients());
    new UiRoutes(wiring.config()).register(wiring.routes());
    new OrganizationRoutes(new Memberships(dataSource)).register(wiring.routes());
    payments.serveStripe(
        wiring, plans, packs, store, holding.readOnlyLock(), CouponsWiring.wire(wiring, payments));
    wiring.routes().describe();
    log.info(
        "billing plugin loaded ({} mode, {})",
        config.get().billingMode().configName(),
        config.get().currency());
  }

  /** The plan versions of the config in effect ({@link PlanVersions#catchUp}). */
  private void catchUpPlanVersions(DataSource dataSource, PluginContext context) {
    try {
      PlanVersions.catchUp(dataSource, config.get(), context.clock().instant());
    } catch (SQLException e) {
      // the next config change records them; terms started meanwhile name the latest stored
      log.warn("plan versions not brought up to the config in effect", e);
    }
  }

  /** A confirmation stored here acts on this node's admission at once. */
  private void overageConfirmed(OverageConfirmation confirmation) {
    Admission current = admission;
    if (current != null) {
      current.overageConfirmed(confirmation);
    }
  }

  /** A purchase, renewal or cancellation stored here acts on this node's admission at once. */
  private void packChanged(Purchase purchase) {
    Admission current = admission;
    if (current != null) {
      current.packChanged(purchase);
    }
  }

  /** A seat limit set or removed here acts on this node's member admission at once. */
  private void seatLimitChanged(String orgId, SeatLimit limit) {
    Admission current = admission;
    if (current != null) {
      current.seatLimitChanged(orgId, limit);
    }
  }

  @Override
  public void onUnload(PluginContext context) {
    EventStreams streams = liveStreams;
    if (streams != null) {
      streams.close(); // each open stream ends at its next event
      liveStreams = null;
    }
    Admission currentAdmission = admission;
    if (currentAdmission != null) {
      currentAdmission.close();
      admission = null;
    }
    SessionMeter current = meter;
    if (current != null) {
      current.close();
      meter = null;
    }
  }

  @Override
  public void onUserCreated(PluginContext context, UserEvent event) {
    whenMetering(m -> m.userCreated(event));
  }

  @Override
  public void onSessionCreated(PluginContext context, SessionEvent event) {
    whenMetering(m -> m.sessionCreated(event));
    admission.sessionCreated(event);
    holds.sessionStarted(event.billedOrgId(), event.sessionId());
  }

  @Override
  public void onSessionHeartbeat(PluginContext context, SessionEvent event) {
    whenMetering(m -> m.heartbeat(event));
    admission.sessionSeen(event);
  }

  @Override
  public void onSessionTerminated(PluginContext context, SessionEvent event) {
    whenMetering(m -> m.sessionTerminated(event));
    admission.sessionTerminated(event);
  }

  @Override
  public void onUsageReported(PluginContext context, UsageReport report) {
    whenMetering(
        m -> {
          // counted before it is queued: a reload whose snapshot holds it then asks about it
          // (Admission.refresh), and one never stored (billing disabled) is never counted
          admission.usageReported(report);
          m.usageReported(report);
        });
  }

  /**
   * Kept through the same write-behind queue as sessions: memberships and the organization's
   * account are decided from the events kept, whatever order they arrive in. Admission counts a
   * membership at once, and an org.deleted closes the organization to new sessions at once.
   */
  @Override
  public void onOrganizationEvent(PluginContext context, OrganizationEvent event) {
    whenMetering(
        m -> {
          admission.organizationEvent(event);
          m.organizationEvent(event);
        });
  }

  private void whenMetering(Consumer<SessionMeter> hook) {
    SessionMeter current = meter;
    if (current == null) {
      throw new IllegalStateException("the billing plugin is not loaded");
    }
    if (config.get().enabled()) {
      hook.accept(current);
    }
  }

  @Override
  public CompletionStage<Void> flush() {
    SessionMeter current = meter;
    return current == null ? CompletableFuture.completedFuture(null) : current.flush();
  }

  /**
   * Denies a session that would pass a hard limit of its account's plan, or while a soft
   * counter's overage waits for confirmation, or that would take its member past their cap inside
   * the organization (see Admission).
   */
  @Override
  public AdmissionDecision admit(AdmissionRequest request) {
    Admission current = admission;
    return current == null ? AdmissionDecision.allow() : current.admit(request);
  }

  /**
   * Denies a member past the organization's hard members limit or its Owner's seat limit, naming
   * the plan that would allow them (see Admission).
   */
  @Override
  public AdmissionDecision admitMember(MemberAdmissionRequest request) {
    Admission current = admission;
    return current == null ? AdmissionDecision.allow() : current.admitMember(request);
  }

  @Override
  public ConfigSchema configSchema() {
    return BillingConfigSchema.schema();
  }

  /** As {@link #validateConfig(String, Set)}, with the secrets this plugin can read now. */
  @Override
  public List<ConfigProblem> validateConfig(String configJson) {
    PluginContext current = context;
    Set<String> secretsSet =
        BillingConfigSchema.schema().keys().stream()
            .filter(key -> key.environmentVariable() != null)
            .filter(
                key ->
                    current != null
                        && current.config().secret(key.environmentVariable()).isPresent())
            .map(ConfigKey::name)
            .collect(Collectors.toUnmodifiableSet());
    return validateConfig(configJson, secretsSet);
  }

  @Override
  public List<ConfigProblem> validateConfig(String configJson, Set<String> secretsSet) {
    List<ConfigProblem> problems = new ArrayList<>(parser().validate(configJson, secretsSet));
    problems.addAll(metersWithUnbilledUsageRemoved(configJson));
    return problems;
  }

  /**
   * A meter the new config drops while it has unbilled usage is refused, naming it: its reports
   * since their account's last finalized invoice would never be billed. Not checked before the
   * plugin is loaded (no database yet), nor when the config has problems of its own (its meters
   * read as the defaults).
   */
  private List<ConfigProblem> metersWithUnbilledUsageRemoved(String configJson) {
    PluginContext current = context;
    ConfigParseResult parsed = parser().parse(configJson);
    if (current == null || !parsed.isValid()) {
      return List.of();
    }
    List<String> kept = parsed.config().meters().ids();
    List<String> removed =
        config.get().meters().ids().stream().filter(id -> !kept.contains(id)).toList();
    List<String> keptHeld = parsed.config().meters().heldIds();
    List<String> removedHeld =
        config.get().meters().heldIds().stream().filter(id -> !keptHeld.contains(id)).toList();
    if (removed.isEmpty() && removedHeld.isEmpty()) {
      return List.of();
    }
    try {
      List<String> unbilled =
          new ArrayList<>(UsageCounters.unbilled(current.dataSource(), removed));
      unbilled.addAll(UsageCounters.unbilledHeld(current.dataSource(), removedHeld));
      return unbilled.stream()
          .map(
              id ->
                  new ConfigProblem(
                      "meters",
                      "must list %s: it has usage not billed yet (%s since their account's"
                              .formatted(
                                  id,
                                  removedHeld.contains(id) ? "amounts held by sessions" : "reports")
                          + " last finalized invoice); remove it once that is invoiced"))
          .toList();
    } catch (SQLException e) {
      log.warn("could not tell whether the meters removed have unbilled usage", e);
      return List.of(
          new ConfigProblem(
              "meters",
              "cannot remove "
                  + String.join(
                      ", ",
                      java.util.stream.Stream.concat(removed.stream(), removedHeld.stream())
                          .toList())
                  + " now: the database is unavailable"
                  + " to tell whether they have unbilled usage; try again"));
    }
  }

  @Override
  public String effectiveConfig(String configJson) {
    PluginContext current = context;
    return EffectiveConfigWriter.toJson(
        parser().parse(configJson).config(),
        variable -> current != null && current.config().secret(variable).isPresent());
  }

  /**
   * The change's audit entry ({@link ConfigChangeAudit}) and the plan versions it makes ({@link
   * PlanVersions#recordChange}), in the host's transaction saving it.
   */
  @Override
  public List<ConfigProblem> onConfigSaving(ConfigSaving saving) throws SQLException {
    List<ConfigProblem> problems = ConfigChangeAudit.record(saving, this::effectiveConfig);
    if (problems.isEmpty() && !saving.changedKeys().isEmpty()) {
      PlanVersions.recordChange(
          saving.connection(),
          parser().parse(saving.beforeJson()).config(),
          parser().parse(saving.afterJson()).config(),
          saving.at(),
          saving.changedBy(),
          saving.reason().map(String::strip).orElse(null));
    }
    return problems;
  }

  /** Swaps in the new config (next rating run uses its rates) and reschedules on its cron. */
  @Override
  public void onConfigChanged(PluginContext context) {
    ConfigParseResult parsed = parser().parse(context.config().json());
    if (!parsed.isValid()) {
      log.error("refusing changed billing config, keeping the previous one: {}", parsed.problems());
      return;
    }
    config.set(parsed.config());
    if (calculateUsage != null) {
      calculateUsage.scheduleOn(context.scheduler());
    }
    if (generateInvoices != null) {
      generateInvoices.scheduleOn(context.scheduler()); // the invoice day or zone may change
    }
    if (checkQuotas != null) {
      checkQuotas.scheduleOn(context.scheduler());
    }
    if (live != null) {
      live.checkBalances().scheduleOn(context.scheduler());
    }
    log.debug("billing config changed"); // the host logs who changed which keys
  }

  /** Points the Stripe calls elsewhere (tests: a local server answering like Stripe). */
  void stripeEndpoint(StripeEndpoint endpoint) {
    stripeEndpoint = endpoint;
  }

  /** Paces the live streams opened from now on (tests: by moving a test clock). */
  void liveStreamsPacedBy(EventStreams.Pace pace) {
    liveStreams.pacedBy(pace);
  }

  /** Where creators' payouts due come from (tests: fixed dues). */
  void payoutsDue(PayoutsDue source) {
    payoutsDue = source;
  }

  /** The config in effect, as the last valid change left it. */
  BillingConfig config() {
    return config.get();
  }

  private BillingConfigParser parser() {
    PluginContext current = context;
    return new BillingConfigParser(
        current == null
            ? CronValidator.fiveFields()
            : CronValidator.refusingZeroSteps(cron -> current.scheduler().validateCron(cron)));
  }

  /**
   * Drops every billing view, table, sequence, function and type, the Flyway history too; never
   * what is not billing's (see {@link BillingPurge}: it refuses when another object depends on
   * one of them).
   */
  @Override
  public void purgeData(Connection connection) throws SQLException {
    BillingPurge.dropEverything(connection);
    log.info("billing data purged");
  }
}
