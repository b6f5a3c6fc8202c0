package io.streamspace.benchmark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/** Posts batches of platform events over HTTP from four client threads, as a busy platform. */
public final class EventSender {

  public static final int CLIENTS = 4;
  public static final int BATCH = 1_000;

  /**
   * One batch's round trip.
   *
   * @param sentAt when it was posted
   * @param nanos how long until its answer, in nanoseconds
   */
  public record Batch(Instant sentAt, long nanos) {

    /** When its answer came. */
    public Instant answeredAt() {
      return sentAt.plusNanos(nanos);
    }
  }

  /**
   * What was sent.
   *
   * @param events how many events were posted
   * @param accepted how many the host journaled
   * @param batches each batch's round trip
   */
  public record Sent(long events, long accepted, List<Batch> batches) {

    /** This and {@code other} together. */
    public Sent plus(Sent other) {
      List<Batch> both = new ArrayList<>(batches);
      both.addAll(other.batches);
      return new Sent(events + other.events, accepted + other.accepted, both);
    }

    /** Each batch's round trip, in nanoseconds. */
    public List<Long> batchNanos() {
      return batches.stream().map(Batch::nanos).toList();
    }
  }

  private final BenchHttp http;
  private final String platformToken;

  public EventSender(BenchHttp http, String platformToken) {
    this.http = http;
    this.platformToken = platformToken;
  }

  /** Posts batches 0 to {@code batches - 1} (in parallel, in no fixed order). */
  public Sent send(int batches, IntFunction<List<ObjectNode>> batch) throws Exception {
    return send(batches, batch, Long.MAX_VALUE);
  }

  /**
   * Posts batches 0, 1, 2... until {@code batches} are sent or {@link System#nanoTime()} passes
   * {@code deadline}; a batch under way then is finished.
   */
  public Sent send(int batches, IntFunction<List<ObjectNode>> batch, long deadline)
      throws Exception {
    AtomicInteger next = new AtomicInteger();
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    List<Future<Sent>> futures = new ArrayList<>();
    try {
      for (int c = 0; c < CLIENTS; c++) {
        futures.add(
            clients.submit(
                () -> {
                  long events = 0;
                  long accepted = 0;
                  List<Batch> timed = new ArrayList<>();
                  for (int b = next.getAndIncrement();
                      b < batches && System.nanoTime() < deadline;
                      b = next.getAndIncrement()) {
                    List<ObjectNode> posted = batch.apply(b);
                    Instant sentAt = Instant.now();
                    long began = System.nanoTime();
                    accepted += http.postEvents(platformToken, posted);
                    timed.add(new Batch(sentAt, System.nanoTime() - began));
                    events += posted.size();
                  }
                  return new Sent(events, accepted, timed);
                }));
      }
      Sent all = new Sent(0, 0, List.of());
      for (Future<Sent> future : futures) {
        all = all.plus(future.get());
      }
      return all;
    } finally {
      clients.shutdownNow();
    }
  }

  /** How long {@code nanos} took, from a {@link System#nanoTime()} reading. */
  static Duration since(long nanos) {
    return Duration.ofNanos(System.nanoTime() - nanos);
  }
}
