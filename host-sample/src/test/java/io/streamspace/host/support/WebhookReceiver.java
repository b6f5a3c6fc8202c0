package io.streamspace.host.support;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A platform's webhook receiver for tests: records every POST, answers each path with the status
 * a test sets (200 by default), and can hold requests until a test lets them go.
 */
public final class WebhookReceiver implements AutoCloseable {

  /** One request as received. */
  public record Received(String path, String eventId, String signature, String body) {}

  public final List<Received> received = new CopyOnWriteArrayList<>();
  private final Map<String, Integer> statusByPath = new ConcurrentHashMap<>();
  private final Set<String> endless = ConcurrentHashMap.newKeySet();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  public volatile CountDownLatch arrived = new CountDownLatch(0);
  public volatile CountDownLatch gate = new CountDownLatch(0);

  public WebhookReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          String path = exchange.getRequestURI().getPath();
          received.add(
              new Received(
                  path,
                  exchange.getRequestHeaders().getFirst("X-StreamSpace-Event-Id"),
                  exchange.getRequestHeaders().getFirst("X-StreamSpace-Signature"),
                  body));
          arrived.countDown();
          try {
            gate.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          if (endless.contains(path)) {
            // the headers, then a body that never ends until the receiver closes
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().write("{".getBytes(StandardCharsets.UTF_8));
            exchange.getResponseBody().flush();
            try {
              closed.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          } else {
            exchange.sendResponseHeaders(statusByPath.getOrDefault(path, 200), -1);
          }
          exchange.close();
        });
    server.setExecutor(threads);
    server.start();
  }

  /** The URL of {@code path} on this receiver. */
  public String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  public void answer(String path, int status) {
    statusByPath.put(path, status);
  }

  /** Answers {@code path} 200 with a body that does not end until the receiver is closed. */
  public void answerWithoutEnd(String path) {
    endless.add(path);
  }

  public List<Received> at(String path) {
    return received.stream().filter(r -> r.path().equals(path)).toList();
  }

  @Override
  public void close() {
    closed.countDown();
    server.stop(0);
    threads.shutdownNow();
  }
}
