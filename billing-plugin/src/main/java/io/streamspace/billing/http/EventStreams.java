package io.streamspace.billing.http;

import io.streamspace.common.http.ApiException;
import io.streamspace.plugin.api.http.DatabaseOutage;
import io.streamspace.plugin.api.http.HttpError;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-sent events ({@code text/event-stream}) a route pushes at a steady pace: one {@code
 * data:} event (one line of JSON) every {@code every}, on the streamed body of the plugin API
 * ({@link HttpResponse#streamed}), each flushed as it is written so the client sees it at once.
 * Bounded, since each open stream holds one of the host's request threads:
 *
 * <ul>
 *   <li>at most {@code maxStreams} open on this node at once: one more is answered 503 {@code
 *       too_many_streams} with {@code Retry-After}, before anything is streamed;
 *   <li>a stream ends after {@code longest}; it opened with {@code retry:} {@link #RETRY}, so an
 *       {@code EventSource} reconnects after that long (a page reading it otherwise should too);
 *   <li>it ends when the client goes away (the write that finds it gone fails), when the plugin
 *       stops ({@link #close}), and when its thread is interrupted; a host that stops closes the
 *       connections still open once it has drained them (the host-sample: 10 s), and the next
 *       write then fails;
 *   <li>an event that cannot be made (the database away) ends the stream with an {@code event:
 *       error} whose data is the error body a JSON answer would have had.
 * </ul>
 */
public final class EventStreams implements AutoCloseable {

  /** The media type of the streams, what a client's {@code Accept} asks for. */
  public static final String TYPE = "text/event-stream";

  /** The pace of events. */
  public static final Duration EVERY = Duration.ofSeconds(1);

  /** How many streams a node keeps open at once, at most. */
  public static final int MAX_STREAMS = 64;

  /** How long a stream lasts, at most. */
  public static final Duration LONGEST = Duration.ofMinutes(10);

  /** How long a client waits before it reconnects, said at each stream's start. */
  public static final Duration RETRY = Duration.ofSeconds(2);

  private static final Logger log = LoggerFactory.getLogger(EventStreams.class);

  /** The data of one event: a single line of JSON. */
  @FunctionalInterface
  public interface Source {
    String next() throws Exception;
  }

  /**
   * How the streams keep their pace: by this node's elapsed time ({@link System#nanoTime}, not an
   * instant: no clock reads it). A test paces them by moving its test clock instead ({@link
   * #pacedBy}), so that a minute of events takes no minute to read.
   */
  public interface Pace {

    /** The time now on the pace's own scale, in nanoseconds. */
    long nanos();

    /** Waits until {@code deadline} on its scale; false when the stream must end instead. */
    boolean waitUntil(long deadline);
  }

  private final Semaphore open;
  private final Duration every;
  private final Duration longest;
  private final Object wake = new Object();
  private volatile boolean closed;
  private volatile Pace pace = new Elapsed();

  public EventStreams() {
    this(MAX_STREAMS, EVERY, LONGEST);
  }

  EventStreams(int maxStreams, Duration every, Duration longest) {
    this.open = new Semaphore(maxStreams);
    this.every = every;
    this.longest = longest;
  }

  /** Whether the request asks for events ({@code Accept: text/event-stream}). */
  public static boolean asked(HttpRequest request) {
    return request.header("accept").map(accept -> accept.contains(TYPE)).orElse(false);
  }

  /**
   * A 200 streaming {@code source}'s events at the pace, or 503 {@code too_many_streams} when
   * this node has as many open as it keeps.
   */
  public HttpResponse respond(Source source) {
    if (closed || !open.tryAcquire()) {
      HttpResponse busy =
          HttpResponse.error(
              HttpStatus.SERVICE_UNAVAILABLE,
              "too_many_streams",
              "this node streams to as many clients as it may; retry later, or read the JSON",
              null);
      return HttpResponse.of(
          busy.status(),
          busy.contentType(),
          busy.body(),
          Map.of("Retry-After", Long.toString(RETRY.toSeconds())));
    }
    return HttpResponse.streamed(
        HttpStatus.OK,
        TYPE,
        Map.of("X-Accel-Buffering", "no"),
        out -> {
          try {
            stream(out, source);
          } finally {
            open.release();
          }
        });
  }

  /** Paces the streams opened from now on by {@code pace} (tests: a test clock moved). */
  public void pacedBy(Pace pace) {
    this.pace = pace;
  }

  private void stream(OutputStream out, Source source) throws IOException {
    Pace paced = pace;
    long started = paced.nanos();
    write(out, "retry: " + RETRY.toMillis() + "\n");
    for (long next = started; ; ) {
      String data;
      try {
        data = source.next();
      } catch (Exception e) {
        write(out, "event: error\ndata: " + errorOf(e) + "\n\n");
        return;
      }
      write(out, "data: " + data + "\n\n");
      next += every.toNanos();
      if (closed || next - started >= longest.toNanos() || !paced.waitUntil(next)) {
        return;
      }
    }
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush(); // sent at once: an event waits for no buffer to fill
  }

  /** The node's elapsed time; a wait ends early when the plugin or the host stops. */
  private final class Elapsed implements Pace {

    @Override
    public long nanos() {
      return System.nanoTime();
    }

    @Override
    public boolean waitUntil(long deadline) {
      synchronized (wake) {
        for (long left = deadline - System.nanoTime(); left > 0 && !closed; ) {
          try {
            wake.wait(Math.max(1, left / 1_000_000));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // kept for the host, whose thread it is
            return false;
          }
          left = deadline - System.nanoTime();
        }
        return !closed;
      }
    }
  }

  /** The error body a JSON answer would have had. */
  private static String errorOf(Exception failure) {
    if (failure instanceof ApiException api) {
      return api.error().json();
    }
    if (DatabaseOutage.causedBy(failure)) {
      return HttpError.databaseUnavailable().json();
    }
    log.error("an event of a stream could not be made; the stream ends", failure);
    return new HttpError(
            HttpStatus.INTERNAL_SERVER_ERROR, "internal_error", "the stream failed", null)
        .json();
  }

  /** Ends every stream at its next event (the plugin stops), and opens none any more. */
  @Override
  public void close() {
    closed = true;
    synchronized (wake) {
      wake.notifyAll();
    }
  }
}
