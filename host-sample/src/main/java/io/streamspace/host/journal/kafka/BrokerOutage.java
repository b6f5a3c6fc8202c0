package io.streamspace.host.journal.kafka;

import io.streamspace.host.threads.Daemons;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What intake knows of the brokers: once a send has failed as a send fails when they cannot be
 * reached (timed out, no metadata, not enough replicas), the brokers count as down, and intake
 * refuses the next batches at once, without looking them up or sending anything, instead of
 * holding each request for the producer's whole delivery timeout. A probe, cheap and on a thread
 * of its own (every {@code every} while the outage lasts: the topic described, every partition
 * with a leader), ends the outage; the next batch is then sent as always, acknowledged by every
 * in-sync replica or refused, which starts the outage again.
 */
final class BrokerOutage implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(BrokerOutage.class);

  private final BooleanSupplier probe;
  private final Duration every;
  private final ScheduledExecutorService prober;
  private ScheduledFuture<?> probing;
  private volatile boolean down;

  /**
   * @param probe tells whether the brokers can take the topic's records again; it must answer
   *     within a second or two, false when it cannot tell
   * @param every how often it runs while the brokers are down
   */
  BrokerOutage(BooleanSupplier probe, Duration every, String threadName) {
    this.probe = probe;
    this.every = every;
    this.prober = Daemons.scheduler(threadName);
  }

  /** Whether batches are refused without being sent: the brokers failed a send, no probe since. */
  boolean down() {
    return down;
  }

  /** A send failed as it does when the brokers are away: probed from now on until they answer. */
  synchronized void began() {
    // a send failing while intake closes: nothing left to probe for
    if (down || prober.isShutdown()) {
      return;
    }
    down = true;
    log.warn(
        "The Kafka brokers count as down: batches are refused at once until they answer a probe"
            + " (every {} ms)",
        every.toMillis());
    probing =
        prober.scheduleWithFixedDelay(
            this::probe, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Probes the brokers once; ends the outage when they answer. Run by the prober's thread. */
  void probe() {
    boolean back;
    try {
      back = probe.getAsBoolean();
    } catch (RuntimeException e) {
      back = false;
    }
    if (back) {
      ended();
    }
  }

  private synchronized void ended() {
    if (!down) {
      return;
    }
    down = false;
    if (probing != null) {
      probing.cancel(false);
      probing = null;
    }
    log.info("The Kafka brokers answer again: batches are sent to them");
  }

  @Override
  public synchronized void close() {
    prober.shutdownNow();
  }
}
