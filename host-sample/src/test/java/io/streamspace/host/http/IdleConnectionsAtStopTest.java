package io.streamspace.host.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.common.http.Json;
import io.streamspace.host.HostOptions;
import io.streamspace.testing.Await;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnection;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.Test;

/**
 * A stop closes a client's kept-alive connection that has nothing in flight once it has been idle
 * for the time given ({@link HostOptions#idleConnectionsAtStop()}): Jetty's second in production,
 * 100 ms for the tests' hosts ({@link HostOptions.Builder#quickStopForTests()}), so that a test
 * stopping a host does not wait a second for its own client.
 */
class IdleConnectionsAtStopTest {

  private static final Duration LONG = Duration.ofSeconds(2);

  /**
   * Idle for the time given counts from the connection's last answer, as Jetty's idle timeout
   * does, so the time is measured from the request, which came before the answer: not from the
   * stop, nor from when the client finished reading the answer (a busy machine may take longer
   * than the time given between the answer and either, and the stop then closes the connection
   * at once, rightly).
   */
  @Test
  void aStopHoldsAnIdleConnectionForTheTimeGiven_andClosesItThen() throws Exception {
    Idle idle = stopWithAnIdleConnection(LONG);
    assertTrue(
        idle.closedAfterTheRequest().compareTo(LONG.minusMillis(500)) >= 0,
        "closed " + idle.closedAfterTheRequest() + " after the request");
  }

  @Test
  void aTestHostsStopClosesAnIdleConnectionWithoutWaitingASecond() throws Exception {
    Duration quick = HostOptions.builder().quickStopForTests().build().idleConnectionsAtStop();
    assertEquals(Duration.ofMillis(100), quick);
    Duration took = stopWithAnIdleConnection(quick).stopTook();
    assertTrue(took.compareTo(LONG.minusMillis(500)) < 0, "stopped after " + took);
  }

  @Test
  void productionKeepsJettysSecond_andNoIdleTimeIsRefused() {
    assertEquals(Duration.ofSeconds(1), HostOptions.builder().build().idleConnectionsAtStop());
    assertEquals(
        HostOptions.DEFAULT_IDLE_CONNECTIONS_AT_STOP,
        HostOptions.builder().build().idleConnectionsAtStop());
    HostOptions options = HostOptions.builder().build();
    // Jetty reads zero as "never": refused rather than a stop that waits for the client
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new HostOptions(
                options.port(),
                options.host(),
                options.dbUrl(),
                options.dataDir(),
                options.pluginsDir(),
                options.pluginRepositories(),
                options.clock(),
                options.secrets(),
                options.inProcessPlugins(),
                options.unsafeFastEmbeddedDatabase(),
                options.maxEventAge(),
                options.maxJournalLag(),
                options.pluginReleases(),
                options.webhookDeliveryInterval(),
                options.journal(),
                options.kafka(),
                Duration.ZERO,
                options.switchJournal()));
  }

  /** How long a stop took, and how long after its request the idle connection was closed. */
  private record Idle(Duration stopTook, Duration closedAfterTheRequest) {}

  /**
   * Serves, has a client leave its connection open after one answer, and stops: how long the stop
   * took and how long after the request the server closed the connection (closed by then).
   */
  private static Idle stopWithAnIdleConnection(Duration idleAtStop) throws Exception {
    HttpServer server = new HttpServer(Json.newMapper(), idleAtStop);
    server.start("127.0.0.1", 0);
    Socket client = new Socket("127.0.0.1", server.port());
    try {
      OutputStream out = client.getOutputStream();
      long asked = System.nanoTime(); // before the answer, so at most its idle time before it
      out.write(
          "GET /no-such-route HTTP/1.1\r\nHost: localhost\r\n\r\n"
              .getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = client.getInputStream();
      String head = readHead(in);
      assertTrue(head.startsWith("HTTP/1.1 404"), head);
      in.readNBytes(contentLength(head)); // the answer read whole
      // The server may still be completing its send when the client has every byte; a stop
      // then (rightly) closes the connection as that send ends, not the idle one this is about.
      awaitNothingInFlight(server);

      // as a client does, it closes its end once the server closed the connection
      client.setSoTimeout(30_000);
      CompletableFuture<Long> closedByTheServer =
          CompletableFuture.supplyAsync(
              () -> {
                try (client) {
                  assertEquals(-1, in.read(), "closed by the server");
                  return System.nanoTime();
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      long start = System.nanoTime();
      server.close();
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      long closed = closedByTheServer.get(5, TimeUnit.SECONDS);
      return new Idle(took, Duration.ofNanos(closed - asked));
    } finally {
      client.close();
    }
  }

  /** Until every connection's exchange is complete on the server's side (its channel idle). */
  private static void awaitNothingInFlight(HttpServer server) {
    Await.await(
        Duration.ofSeconds(10),
        Duration.ofMillis(1),
        "the server's exchange to complete",
        () -> nothingInFlight(server.jetty()));
  }

  private static boolean nothingInFlight(Server jetty) {
    for (Connector connector : jetty.getConnectors()) {
      for (EndPoint endPoint : connector.getConnectedEndPoints()) {
        if (endPoint.getConnection() instanceof HttpConnection http
            && !http.getHttpChannel().getState().isIdle()) {
          return false;
        }
      }
    }
    return true;
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("closed before the head ended: " + head);
      }
      head.append((char) c);
    }
    return head.toString();
  }

  private static int contentLength(String head) {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        return Integer.parseInt(line.substring("content-length:".length()).strip());
      }
    }
    throw new AssertionError("no Content-Length: " + head);
  }
}
