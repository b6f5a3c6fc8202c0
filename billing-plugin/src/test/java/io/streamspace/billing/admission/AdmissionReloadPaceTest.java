package io.streamspace.billing.admission;

import static io.streamspace.billing.support.BillingHarness.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.db.BillingMigrations;
import io.streamspace.billing.pace.BackgroundLane;
import io.streamspace.billing.pace.OtherWork;
import io.streamspace.billing.support.AnotherNode;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.testing.MutableClock;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Admission's view is reloaded {@link AdmissionReloads#REFRESH_INTERVAL} after the reload before, or
 * nine times as long as that reload took when that is longer: a reload reads every account with
 * an open session, and at 100,000 of them reloading every 5 s took a third of intake's rate.
 */
class AdmissionReloadPaceTest {

  private final MutableClock clock = new MutableClock(at("2026-03-10T12:00:00Z"));

  @Test
  void theNextReloadWaitsFiveSecondsOrNineTimesAsLongAsTheLastTook() {
    assertEquals(Duration.ofSeconds(5), AdmissionReloads.pauseAfter(Duration.ofMillis(40)));
    // 9 × 0.5 s = 4.5 s, under 5 s
    assertEquals(Duration.ofSeconds(5), AdmissionReloads.pauseAfter(Duration.ofMillis(500)));
    assertEquals(Duration.ofSeconds(9), AdmissionReloads.pauseAfter(Duration.ofSeconds(1)));
    // 9 × 2.2 s: the reloading thread busy a tenth of the time
    assertEquals(Duration.ofMillis(19_800), AdmissionReloads.pauseAfter(Duration.ofMillis(2_200)));
    // 9 × 8 s = 72 s: a minute at most
    assertEquals(Duration.ofSeconds(60), AdmissionReloads.pauseAfter(Duration.ofSeconds(8)));
  }

  @Test
  void aReloadThatFailedIsFollowedByFiveSeconds_howeverLongItWaited() {
    AtomicBoolean slow = new AtomicBoolean(true);
    DataSource slowThenDown =
        (DataSource)
            Proxy.newProxyInstance(
                DataSource.class.getClassLoader(),
                new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("getConnection") && slow.getAndSet(false)) {
                    Thread.sleep(700); // the pool's wait for a connection, then no connection
                    throw new SQLTransientConnectionException("no connection");
                  }
                  return method.invoke(TestDatabase.dataSource(), args);
                });
    Admission admission = admission(slowThenDown);
    try {
      admission.start();

      assertEquals(AdmissionReloads.REFRESH_INTERVAL, admission.pause());
    } finally {
      admission.close();
    }
  }

  @Test
  void aReloadThatTook700MsIsFollowedByAPauseOfAtLeast6Point3Seconds() {
    AtomicBoolean slow = new AtomicBoolean(true);
    Admission admission = admission(slowFirst(slow, new AtomicInteger()));
    try {
      admission.start(); // the first reload, on this thread: its connection comes 700 ms late

      assertTrue(
          admission.pause().compareTo(Duration.ofMillis(6_300)) >= 0, admission.pause().toString());
    } finally {
      admission.close();
    }
  }

  @Test
  void aQuickReloadIsFollowedByFiveSeconds_andAStopDuringThePauseCancelsTheNextReload() {
    AtomicInteger connections = new AtomicInteger();
    Admission admission = admission(slowFirst(new AtomicBoolean(), connections));
    admission.start();
    assertEquals(AdmissionReloads.REFRESH_INTERVAL, admission.pause());
    int afterStart = connections.get();

    long began = System.nanoTime();
    admission.close();

    // it did not wait out the pause for the next reload (nor run it)
    assertTrue(
        Duration.ofNanos(System.nanoTime() - began).compareTo(AdmissionReloads.REFRESH_INTERVAL)
            < 0);
    assertEquals(afterStart, connections.get());
  }

  @Test
  void aReloadThatWaited700MsForTheBackgroundLaneIsPacedByItsOwnWork_fiveSeconds()
      throws Exception {
    BackgroundLane lane = new BackgroundLane(() -> true);
    // made first: on a slow machine its making (the schema's migrations) took a part of the
    // other work's 700 ms, so that the reload waited less than 600 ms for the rest
    Admission admission = admission(TestDatabase.dataSource(), lane);
    // another work's statement of 700 ms on the lane: the reload's wait is that long
    OtherWork dashboard = OtherWork.holdingFor(lane, Duration.ofMillis(700));
    try {
      long began = System.nanoTime();
      admission.start(); // the first reload, on this thread, after its wait for the lane

      assertTrue(Duration.ofNanos(System.nanoTime() - began).toMillis() >= 600, "it waited");
      assertEquals(AdmissionReloads.REFRESH_INTERVAL, admission.pause());
    } finally {
      admission.close();
      dashboard.close();
    }
  }

  private Admission admission(DataSource dataSource) {
    return admission(dataSource, BackgroundLane.quiet());
  }

  private Admission admission(DataSource dataSource, BackgroundLane lane) {
    BillingMigrations.migrate(TestDatabase.dataSource());
    return new Admission(
        dataSource,
        AdmissionTest.noHolds(TestDatabase.dataSource(), clock),
        () -> AdmissionTest.config("{}"),
        clock,
        AnotherNode.liveCosts(dataSource, () -> AdmissionTest.config("{}"), clock),
        lane);
  }

  /** The test database, whose next connection comes 700 ms late while {@code slow}. */
  private static DataSource slowFirst(AtomicBoolean slow, AtomicInteger connections) {
    DataSource dataSource = TestDatabase.dataSource();
    return (DataSource)
        Proxy.newProxyInstance(
            DataSource.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) -> {
              if (method.getName().equals("getConnection")) {
                connections.incrementAndGet();
                if (slow.getAndSet(false)) {
                  Thread.sleep(700); // a reload as slow as at tens of thousands of sessions
                }
              }
              try {
                return method.invoke(dataSource, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }
}
