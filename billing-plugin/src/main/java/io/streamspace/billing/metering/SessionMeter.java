package io.streamspace.billing.metering;

import io.streamspace.billing.account.OpeningTerms;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.metering.MeteringEvent.AccountOpening;
import io.streamspace.billing.metering.MeteringEvent.OrganizationChange;
import io.streamspace.billing.metering.MeteringEvent.SessionSignal;
import io.streamspace.billing.metering.MeteringEvent.SessionSignalKind;
import io.streamspace.billing.metering.MeteringEvent.UsageReported;
import io.streamspace.plugin.api.event.DeadLetters;
import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.event.UsageReport;
import io.streamspace.plugin.api.event.UserEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Turns lifecycle events, usage reports and organization events into durable account, session,
 * usage and membership state through a write-behind queue: hooks only enqueue (blocking when the
 * queue is full) and never touch the database.
 *
 * <p>No event id table is needed for de-duplication: every effect is a merge that a second
 * delivery of the same event leaves unchanged (insert-if-absent, least start, greatest
 * heartbeat, least end, first size reported per instant, a usage report or organization event
 * inserted by its event id if absent).
 *
 * <p>An org.created whose id is a user's personal organization is refused the same way (SQLState
 * 23505): organizations and users share one namespace.
 *
 * <p>An event the database refuses for a reason retrying cannot fix ({@link WriteFailures}) is
 * isolated by the queue and handed back to the host's {@link DeadLetters} with the reason; the
 * others are stored. The host's dead letters are looked up only then; if that fails, the queue
 * keeps the event and retries it.
 */
public final class SessionMeter implements AutoCloseable {

  static final int QUEUE_CAPACITY = 200_000;
  static final int MAX_BATCH = 50_000;
  static final Duration MAX_DELAY = Duration.ofMillis(50);

  /**
   * How recently a batch was metered for {@link #metering()} to say events are arriving: a few
   * times the writer's {@link #MAX_DELAY}, so that steady traffic, which it takes in a batch at
   * least that often, counts, and the last batch of a burst stops counting soon after it.
   */
  static final Duration METERING_WITHIN = Duration.ofMillis(250);

  private final Supplier<BillingConfig> config;
  private final WriteBehindQueue<MeteringEvent> queue;
  private final LongSupplier nanoTime;
  // when the writer last took a batch (nanoTime), to tell whether events are arriving
  private volatile long lastBatch;

  public SessionMeter(
      MeteringStore store, Supplier<BillingConfig> config, Supplier<DeadLetters> deadLetters) {
    this(store, config, deadLetters, System::nanoTime);
  }

  /** On {@code nanoTime}'s clock for {@link #metering()}, for tests. */
  SessionMeter(
      MeteringStore store,
      Supplier<BillingConfig> config,
      Supplier<DeadLetters> deadLetters,
      LongSupplier nanoTime) {
    this.config = config;
    this.nanoTime = nanoTime;
    this.lastBatch = nanoTime.getAsLong() - 2 * METERING_WITHIN.toNanos();
    this.queue =
        new WriteBehindQueue<>(
            "billing-metering-writer",
            QUEUE_CAPACITY,
            MAX_BATCH,
            MAX_DELAY,
            batch -> store.write(coalesce(batch)),
            WriteFailures::isPermanent,
            (event, failure) -> event.setAside(deadLetters.get(), WriteFailures.reason(failure)));
  }

  private MeteringBatch coalesce(List<MeteringEvent> events) {
    lastBatch = nanoTime.getAsLong();
    BillingConfig current = config.get();
    return MeteringBatch.of(events, current.currency().getCurrencyCode(), current.defaultPlan());
  }

  /**
   * Opens the user's account on the terms its {@code currency} and {@code plan} attributes ask
   * for, where the config allows them ({@link OpeningTerms}), else on the defaults.
   */
  public void userCreated(UserEvent event) {
    OpeningTerms terms = new OpeningTerms(config.get());
    String currency = terms.currency(event.attributes().get("currency"));
    String plan = terms.plan(event.attributes().get("plan"));
    queue.put(new AccountOpening(event, currency, plan));
  }

  public void sessionCreated(SessionEvent event) {
    queue.put(new SessionSignal(SessionSignalKind.CREATED, event));
  }

  public void heartbeat(SessionEvent event) {
    queue.put(new SessionSignal(SessionSignalKind.HEARTBEAT, event));
  }

  public void sessionTerminated(SessionEvent event) {
    queue.put(new SessionSignal(SessionSignalKind.TERMINATED, event));
  }

  /** Stores the report under its event id, opening the user's account if it has none. */
  public void usageReported(UsageReport report) {
    queue.put(new UsageReported(report));
  }

  /**
   * Keeps the organization event under its id. An org.created opens the organization's account
   * on the terms its currency and plan ask for, where the config allows them ({@link
   * OpeningTerms}), else on the defaults; an org.deleted closes it.
   */
  public void organizationEvent(OrganizationEvent event) {
    if (event.type() == OrganizationEvent.Type.CREATED) {
      OpeningTerms terms = new OpeningTerms(config.get());
      queue.put(
          new OrganizationChange(
              event,
              terms.currency(event.organization().currency()),
              terms.plan(event.organization().planId())));
    } else {
      queue.put(new OrganizationChange(event, null, null));
    }
  }

  /**
   * Whether events are arriving: the writer took a batch within the last {@link
   * #METERING_WITHIN}. calculate-usage then rates one chunk at a time, leaving intake the other
   * cores.
   */
  public boolean metering() {
    return nanoTime.getAsLong() - lastBatch < METERING_WITHIN.toNanos();
  }

  /** Completes once every event handed over before the call is stored or set aside. */
  public CompletableFuture<Void> flush() {
    return queue.flush();
  }

  /** Stores what is queued and stops the writer. */
  @Override
  public void close() {
    queue.close();
  }
}
