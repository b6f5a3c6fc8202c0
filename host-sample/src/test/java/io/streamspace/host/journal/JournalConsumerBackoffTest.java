package io.streamspace.host.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How long a journal consumer (of either journal) waits between failed rounds: short enough that it resumes within
 * seconds of the database's return (docs/operator-guide.md, "A database outage") even when no
 * batch wakes it.
 */
class JournalConsumerBackoffTest {

  @Test
  void theWaitDoublesFromATenthOfASecond_andStopsAtFiveSeconds_theRetryAfterClientsAreGiven() {
    List<Long> waits = new ArrayList<>();
    Duration wait = Journal.CONSUMER_BACKOFF.first();
    for (int failure = 0; failure < 9; failure++) {
      waits.add(wait.toMillis());
      wait = Journal.CONSUMER_BACKOFF.next(wait);
    }

    assertEquals(List.of(100L, 200L, 400L, 800L, 1600L, 3200L, 5000L, 5000L, 5000L), waits);
  }
}
