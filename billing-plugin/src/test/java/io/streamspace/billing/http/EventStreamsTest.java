package io.streamspace.billing.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.common.http.ApiException;
import io.streamspace.plugin.api.http.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The bounds of the server-sent event streams, on streams paced in milliseconds: the pace and
 * the longest stream, the cap on open streams, and what ends one (the plugin stopping, the host
 * interrupting it, an event that cannot be made).
 */
class EventStreamsTest {

  private static String written(HttpResponse response) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    response.bodyWriter().writeTo(out);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aStreamSaysWhenToReconnect_thenPushesAnEventAtEachBeatUntilItsLongestIsOver()
      throws Exception {
    EventStreams streams = new EventStreams(1, Duration.ofMillis(20), Duration.ofMillis(100));
    AtomicInteger n = new AtomicInteger();

    HttpResponse response = streams.respond(() -> "{\"n\":" + n.incrementAndGet() + "}");

    assertEquals(200, response.status());
    assertEquals("text/event-stream", response.contentType());
    assertEquals(
        "retry: 2000\n"
            + "data: {\"n\":1}\n\ndata: {\"n\":2}\n\ndata: {\"n\":3}\n\n"
            + "data: {\"n\":4}\n\ndata: {\"n\":5}\n\n",
        written(response),
        "one event every 20 ms for 100 ms");
  }

  @Test
  void oneStreamMoreThanTheNodeKeepsIsRefused503_untilOneEnds() throws Exception {
    EventStreams streams = new EventStreams(1, Duration.ofMillis(10), Duration.ofMillis(10));
    HttpResponse first = streams.respond(() -> "{}");

    HttpResponse refused = streams.respond(() -> "{}");

    assertEquals(503, refused.status());
    assertTrue(new String(refused.body(), StandardCharsets.UTF_8).contains("too_many_streams"));
    assertEquals("2", refused.headers().get("Retry-After"));
    written(first);
    assertEquals(200, streams.respond(() -> "{}").status(), "the first one ended");
  }

  @Test
  void anEventThatCannotBeMadeEndsTheStreamWithAnErrorEventCarryingTheErrorBody() throws Exception {
    EventStreams streams = new EventStreams(1, Duration.ofSeconds(1), Duration.ofMinutes(1));

    String text =
        written(
            streams.respond(
                () -> {
                  throw ApiException.notFound("no billing account for gone");
                }));

    assertEquals(
        "retry: 2000\nevent: error\ndata: "
            + "{\"error\":{\"code\":\"not_found\",\"message\":\"no billing account for gone\"}}"
            + "\n\n",
        text);
  }

  /** The plugin stopping ends a stream at once, the host stopping (an interrupt) too. */
  @Test
  void aStreamEndsWhenThePluginStopsOrTheHostInterruptsIt() throws Exception {
    for (boolean pluginStops : new boolean[] {true, false}) {
      EventStreams streams = new EventStreams(2, Duration.ofHours(1), Duration.ofHours(2));
      CountDownLatch firstEvent = new CountDownLatch(1);
      HttpResponse response =
          streams.respond(
              () -> {
                firstEvent.countDown();
                return "{}";
              });
      CountDownLatch ended = new CountDownLatch(1);
      Thread writer =
          new Thread(
              () -> {
                try {
                  written(response);
                } catch (Exception e) {
                  throw new AssertionError(e);
                }
                ended.countDown();
              });
      writer.start();
      assertTrue(firstEvent.await(5, TimeUnit.SECONDS));

      if (pluginStops) {
        streams.close();
      } else {
        writer.interrupt();
      }

      assertTrue(ended.await(5, TimeUnit.SECONDS), "ended, plugin stops: " + pluginStops);
      assertEquals(
          pluginStops ? 503 : 200,
          streams.respond(() -> "{}").status(),
          "a stopped plugin opens no stream");
    }
  }
}
