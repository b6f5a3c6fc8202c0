package io.streamspace.host.webhooks;

import io.streamspace.common.http.Page;
import io.streamspace.host.secrets.SecretBox;
import io.streamspace.host.threads.Daemons;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the outbox's due deliveries, at least once: each is claimed alone ({@code FOR UPDATE
 * SKIP LOCKED}) and leased for {@link #LEASE} while it is sent, so workers of several nodes never
 * send one delivery at the same time, and a node that dies mid-send leaves it due again once the
 * lease ends. A failure is tried again on the {@link RetrySchedule}. Logs name deliveries,
 * endpoints and events by id, never a URL (it may carry credentials) or a secret.
 */
public final class WebhookWorker implements AutoCloseable {

  /** Far longer than a send may take ({@link WebhookSender#TIMEOUT}, twice for connecting). */
  static final Duration LEASE = Duration.ofMinutes(5);

  /** Deliveries sent per run at most, so a long backlog never holds up closing the host. */
  static final int MAX_PER_RUN = 100;

  /** Deliveries a run sends at once (threads of each node's worker). */
  static final int SENDERS = 4;

  private static final Logger log = LoggerFactory.getLogger(WebhookWorker.class);

  private final WebhookDeliveries deliveries;
  private final WebhookEndpoints endpoints;
  private final WebhookSender sender;
  private final Clock clock;
  private final ExecutorService senders = Daemons.pool("webhook-sender", SENDERS);
  private ScheduledExecutorService scheduler;
  private boolean failing;

  public WebhookWorker(
      DataSource dataSource,
      WebhookEndpoints endpoints,
      WebhookDestinations destinations,
      Clock clock) {
    this.deliveries = new WebhookDeliveries(dataSource);
    this.endpoints = endpoints;
    this.sender = new WebhookSender(destinations);
    this.clock = clock;
  }

  /** Runs {@link #runOnce} every {@code interval} on a daemon thread; zero: never (tests). */
  public void start(Duration interval) {
    if (interval.isZero()) {
      return;
    }
    scheduler = Daemons.scheduler("webhook-deliveries");
    scheduler.scheduleWithFixedDelay(
        this::runLogged, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A run; a failure (the database away) is logged once until a run succeeds again. */
  private void runLogged() {
    try {
      runOnce();
      if (failing) {
        failing = false;
        log.info("Webhook deliveries resumed");
      }
    } catch (RuntimeException e) {
      if (!failing) {
        failing = true;
        log.warn("Webhook deliveries paused, tried again every run: {}", e.toString());
      }
    }
  }

  /**
   * Sends the deliveries due now, up to {@link #MAX_PER_RUN}, {@link #SENDERS} at a time, so an
   * endpoint that is slow or never answers holds one sender, not every other endpoint's
   * deliveries. Each sender claims its next delivery alone, so each is sent by one of them.
   *
   * @return how many were sent (delivered or not), once every send of the run has ended
   */
  public int runOnce() {
    AtomicInteger budget = new AtomicInteger(MAX_PER_RUN);
    AtomicInteger sent = new AtomicInteger();
    Callable<Void> sendUntilNoneDue =
        () -> {
          while (budget.getAndDecrement() > 0 && !Thread.currentThread().isInterrupted()) {
            Instant now = clock.instant();
            Optional<WebhookDeliveries.Claimed> due = deliveries.claimDue(now, now.plus(LEASE));
            if (due.isEmpty()) {
              break;
            }
            sendScheduled(due.get());
            sent.incrementAndGet();
          }
          return null;
        };
    try {
      for (Future<Void> done : senders.invokeAll(Collections.nCopies(SENDERS, sendUntilNoneDue))) {
        done.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // invokeAll has interrupted the sends under way
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException failure
          ? failure
          : new IllegalStateException(e.getCause());
    }
    return sent.get();
  }

  private void sendScheduled(WebhookDeliveries.Claimed delivery) {
    Instant now = clock.instant();
    WebhookSender.Outcome outcome = send(delivery, now);
    if (outcome.delivered()) {
      deliveries.record(delivery.id(), now, outcome, false, null, null);
      return;
    }
    int failures = delivery.attempts() + 1;
    Optional<Instant> next =
        RetrySchedule.nextAttempt(
            delivery.createdAt(), failures, now, ThreadLocalRandom.current().nextDouble());
    deliveries.record(
        delivery.id(),
        now,
        outcome,
        false,
        next.isPresent() ? "pending" : "failed",
        next.orElse(null));
    if (next.isPresent()) {
      log.warn(
          "Webhook delivery {} of event {} to endpoint {} failed ({}); next attempt at {}",
          delivery.id(),
          delivery.eventId(),
          delivery.endpointId(),
          outcome.error(),
          next.get());
    } else {
      log.warn(
          "Webhook delivery {} of event {} to endpoint {} failed ({}); given up after {} attempts",
          delivery.id(),
          delivery.eventId(),
          delivery.endpointId(),
          outcome.error(),
          failures);
    }
  }

  /**
   * Sends a delivery again now, whatever its status, and answers it with the new attempt: a 2xx
   * answer marks it delivered; a failure leaves its status and schedule as they were.
   *
   * @return empty when the endpoint has no such delivery
   */
  public Optional<WebhookDelivery> replay(long endpointId, long deliveryId) {
    Optional<WebhookDeliveries.Claimed> found = deliveries.findClaimable(endpointId, deliveryId);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    WebhookSender.Outcome outcome = send(found.get(), now);
    deliveries.record(deliveryId, now, outcome, true, null, null);
    log.info(
        "Webhook delivery {} replayed to endpoint {}: {}",
        deliveryId,
        endpointId,
        outcome.delivered() ? "delivered" : outcome.error());
    return deliveries.find(endpointId, deliveryId);
  }

  /** A page of an endpoint's deliveries (one more row than the page: see {@code Page}). */
  public List<WebhookDelivery> page(long endpointId, Page page) {
    return deliveries.page(endpointId, page);
  }

  private WebhookSender.Outcome send(WebhookDeliveries.Claimed delivery, Instant now) {
    String secret;
    try {
      secret = endpoints.secret(delivery.endpointId(), delivery.sealedSecret());
    } catch (SecretBox.UnreadableSecret e) {
      return new WebhookSender.Outcome(null, e.getMessage()); // names the place, not the value
    }
    return sender.send(
        delivery.url(),
        secret,
        delivery.eventId(),
        delivery.eventType(),
        delivery.body(),
        now.getEpochSecond());
  }

  @Override
  public void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
    senders.shutdownNow();
  }
}
