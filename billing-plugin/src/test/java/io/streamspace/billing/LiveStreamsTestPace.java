package io.streamspace.billing;

import io.streamspace.billing.http.EventStreams;
import io.streamspace.testing.MutableClock;
import java.time.Duration;

/**
 * The test seam of the live streams' pace: a loaded extension's streams wait for their next event
 * by moving the test clock to it, at once, so a minute of events takes no minute of the suite.
 */
public final class LiveStreamsTestPace {

  private LiveStreamsTestPace() {}

  /** Each wait between two events moves {@code clock} on by the time waited, and returns. */
  public static void movingTheClock(BillingExtension billing, MutableClock clock) {
    billing.liveStreamsPacedBy(
        new EventStreams.Pace() {
          private long nanos;

          @Override
          public long nanos() {
            return nanos;
          }

          @Override
          public boolean waitUntil(long deadline) {
            clock.advance(Duration.ofNanos(deadline - nanos));
            nanos = deadline;
            return true;
          }
        });
  }
}
