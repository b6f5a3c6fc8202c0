package io.streamspace.billing.admission;

import static io.streamspace.billing.support.BillingHarness.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.streamspace.billing.db.BillingMigrations;
import io.streamspace.billing.support.AnotherNode;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.testing.Await;
import io.streamspace.testing.MutableClock;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The plugin's unload (the host stopping) during a scheduled reload of admission's view: the
 * reload ends before {@code close()} returns, so before the host closes the pool, and the stop
 * logs no failure. Before, the stop interrupted the reload, whose connection wait then failed
 * with a WARN and its stack trace.
 */
class AdmissionStopTest {

  @Test
  void aStopDuringAScheduledReloadWaitsForItAndLogsNoFailure() throws Exception {
    Gate gate = new Gate();
    MutableClock clock = new MutableClock(at("2026-03-10T12:00:00Z"));
    BillingMigrations.migrate(TestDatabase.dataSource());
    DataSource dataSource = gate.in(TestDatabase.dataSource());
    Admission admission =
        new Admission(
            dataSource,
            AdmissionTest.noHolds(TestDatabase.dataSource(), clock),
            () -> AdmissionTest.config("{}"),
            clock,
            AnotherNode.liveCosts(dataSource, () -> AdmissionTest.config("{}"), clock));
    Logger logger = (Logger) LoggerFactory.getLogger(Admission.class);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    logger.addAppender(logged);
    try {
      admission.start(); // the first reload, on this thread, passes the gate unarmed
      gate.armed.set(true);
      // the first scheduled reload comes REFRESH_INTERVAL (5 s) later and waits at the gate
      assertTrue(
          gate.entered.await(AdmissionReloads.REFRESH_INTERVAL.toSeconds() + 10, TimeUnit.SECONDS));

      AtomicReference<Thread> closer = new AtomicReference<>();
      CompletableFuture<Void> closing =
          CompletableFuture.runAsync(
              () -> {
                closer.set(Thread.currentThread());
                admission.close();
              });
      // the stop has begun: it waits for the reload (or, as before, is already over)
      Await.await(
          Duration.ofSeconds(10),
          Duration.ofMillis(10),
          "close() waiting or done",
          () ->
              closing.isDone()
                  || (closer.get() != null
                      && closer.get().getState() == Thread.State.TIMED_WAITING));
      gate.open.countDown();
      closing.get(10, TimeUnit.SECONDS);

      assertTrue(gate.passed.get(), "the reload went through the gate, not interrupted");
      // this admission's refresh thread, the one the gate held (another test in this JVM may
      // have left an admission of its own refreshing): its executor has terminated, so the
      // thread is past its last task and only returning (join: it may take a few microseconds)
      Thread reloader = gate.thread.get();
      reloader.join(Duration.ofSeconds(5).toMillis());
      assertFalse(reloader.isAlive(), "no reload runs once close() returned");
      assertEquals(
          0,
          logged.list.stream()
              .filter(
                  e -> e.getLevel().isGreaterOrEqual(Level.WARN) || e.getThrowableProxy() != null)
              .count(),
          logged.list.toString());
    } finally {
      logger.detachAppender(logged);
      gate.open.countDown();
      admission.close();
    }
  }

  /**
   * Once armed, the next connection asked for waits until the gate opens, failing when
   * interrupted as Hikari's wait for a connection does.
   */
  private static final class Gate {
    final AtomicBoolean armed = new AtomicBoolean();
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch open = new CountDownLatch(1);
    final AtomicBoolean passed = new AtomicBoolean();
    final AtomicReference<Thread> thread = new AtomicReference<>();

    DataSource in(DataSource dataSource) {
      return (DataSource)
          Proxy.newProxyInstance(
              DataSource.class.getClassLoader(),
              new Class<?>[] {DataSource.class},
              (proxy, method, args) -> {
                if (method.getName().equals("getConnection") && armed.getAndSet(false)) {
                  thread.set(Thread.currentThread());
                  entered.countDown();
                  try {
                    open.await();
                  } catch (InterruptedException e) {
                    throw new SQLException("host - Interrupted during connection acquisition", e);
                  }
                  passed.set(true);
                }
                try {
                  return method.invoke(dataSource, args);
                } catch (InvocationTargetException e) {
                  throw e.getCause();
                }
              });
    }
  }
}
