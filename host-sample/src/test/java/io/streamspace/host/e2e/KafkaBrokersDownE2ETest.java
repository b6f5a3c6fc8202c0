package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.support.HostClient;
import io.streamspace.testing.Await;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every broker of the Kafka journal down for 30 s while a platform keeps posting (issue 29,
 * "Faults"): each post in the outage is refused with 503 {@code journal_unavailable} and {@code
 * Retry-After}, never a 202, and once the outage is known at once (issue 51); once the brokers
 * are back the same host, not restarted, accepts again, the batches the platform posted again are
 * billed once, and {@code /api/health} shows the billing plugin's lag back to 0. The host runs
 * on a broker of its own (the shared one is never stopped).
 */
class KafkaBrokersDownE2ETest extends OwnKafkaBrokersTestBase {

  /** The outage the issue names. */
  private static final Duration OUTAGE = Duration.ofSeconds(30);

  private static final BigDecimal CORE_HOUR = new BigDecimal("0.05");

  @Override
  int brokerCount() {
    return 1;
  }

  @Override
  String topicName() {
    return "brokers-down";
  }

  @Test
  void everyBrokerDownFor30s_refusesEachPostWith503_andTheSameHostRecoversWithNothingLostOrDoubled()
      throws Exception {
    RetryingPlatform platform =
        RetryingPlatform.start(api.http, platformToken, newUser("brokers-down"), at("08:00"));
    platform.awaitAcceptedBatches(3);

    long down = System.nanoTime();
    brokers.stopAll();
    // the platform keeps posting, each refusal waited out for its Retry-After; besides, posts of
    // the test's own, ten a second, every one of which must be refused, and once the first was,
    // at once: not after the back-pressure's look-up of the topic's ends, which waits 2 s for
    // the brokers
    int refusedOwnPosts = 0;
    Duration slowestAfterTheFirst = Duration.ZERO;
    String batch = HostClient.json(List.of(Events.userCreated(newUser("in-outage"), at("08:00"))));
    while (System.nanoTime() - down < OUTAGE.toNanos()) {
      long posted = System.nanoTime();
      HostClient.Response answer = api.http.post("/api/platform/events", platformToken, batch);
      Duration took = Duration.ofNanos(System.nanoTime() - posted);
      assertEquals(503, answer.status(), answer.toString());
      assertEquals(
          "journal_unavailable", answer.body().at("/error/code").asText(), answer.toString());
      assertTrue(answer.header("Retry-After").isPresent(), answer.toString());
      if (refusedOwnPosts++ > 0 && took.compareTo(slowestAfterTheFirst) > 0) {
        slowestAfterTheFirst = took;
      }
      // a platform's pace, not a wait for anything
      Thread.sleep(100);
    }
    assertTrue(
        slowestAfterTheFirst.compareTo(Duration.ofSeconds(1)) < 0,
        "each refusal after the first at once, the slowest " + slowestAfterTheFirst);
    long up = System.nanoTime();
    brokers.startAll();

    long started = System.nanoTime();
    // accepted again once the journal's probe finds the brokers back (a second or so), each
    // post before then refused at once
    Await.await(
        Duration.ofSeconds(30),
        Duration.ofMillis(50),
        "a post accepted by the same host",
        () -> api.http.post("/api/platform/events", platformToken, batch).status() == 202);
    long acceptingAgain = System.nanoTime();
    platform.awaitAcceptedBatches(platform.acceptedBatches() + 3);
    platform.close();

    List<RetryingPlatform.Answer> whileDown =
        platform.answers().stream()
            .filter(a -> a.sentAt() >= down && a.answeredAt() <= up)
            .toList();
    assertFalse(whileDown.isEmpty(), "the platform posted during the outage");
    assertTrue(whileDown.stream().allMatch(a -> a.status() == 503), "none accepted: " + whileDown);
    for (RetryingPlatform.Answer answer : platform.answers()) {
      assertTrue(
          answer.status() == 202 || (answer.status() == 503 && answer.retryAfter().isPresent()),
          "every post is accepted or refused with Retry-After: " + answer);
    }

    // the same host: the billing plugin consumes again, its lag in /api/health back to 0
    api.awaitCaughtUp("billing");
    long caughtUp = System.nanoTime();
    awaitJournaled(platform.acknowledgedEvents().size());
    api.runJob("calculate-usage");
    RetryingPlatform.Tally tally;
    try (Connection db = DriverManager.getConnection(dbUrl)) {
      tally = platform.tally(db);
    }
    System.out.printf(
        "All Kafka brokers down for %d s: the platform's %d posts in the outage and the test's %d"
            + " all refused with 503, none 202, the test's after its first within %d ms; brokers"
            + " started again in %d ms, a post accepted %d ms later, the lag 0 after %d ms more;"
            + " %s%n",
        OUTAGE.toSeconds(),
        whileDown.size(),
        refusedOwnPosts,
        slowestAfterTheFirst.toMillis(),
        TimeUnit.NANOSECONDS.toMillis(started - up),
        TimeUnit.NANOSECONDS.toMillis(acceptingAgain - started),
        TimeUnit.NANOSECONDS.toMillis(caughtUp - acceptingAgain),
        tally);
    assertEquals(0, tally.lost(), tally.toString());
    assertEquals(0, tally.doubled(), tally.toString());
    assertEquals(tally.accepted(), tally.journaled(), tally.toString());
    assertTrue(tally.refused() >= whileDown.size(), tally.toString());
    platform.assertBilledOnce(api, CORE_HOUR);
  }
}
