package io.streamspace.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** The HTTP calls of the workloads: JSON in and out, with a bearer token. */
public final class BenchHttp {

  private static final Duration CALL_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration POLL = Duration.ofMillis(50);
  private static final Duration CATCH_UP = Duration.ofMinutes(10);
  static final ObjectMapper JSON = new ObjectMapper();

  /** How much of an unexpected answer a failure shows. */
  private static final int SHOWN = 300;

  /**
   * An answer: its status, JSON body (an empty object for an empty body) and the seconds its
   * {@code Retry-After} asks for (0 without one).
   */
  public record Answer(int status, JsonNode body, long retryAfterSeconds) {

    /** The body, when the status is {@code expected}. */
    public JsonNode expect(int expected) {
      if (status != expected) {
        String text = body.toString();
        throw new IllegalStateException(
            "expected "
                + expected
                + ", got "
                + status
                + " "
                + (text.length() > SHOWN ? text.substring(0, SHOWN) + "..." : text));
      }
      return body;
    }
  }

  private final HttpClient client = HttpClient.newHttpClient();
  private final AtomicLong backlogRefusals = new AtomicLong();
  private final String baseUrl;

  public BenchHttp(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  /** A GET's body as text (a CSV, say), when it answers 200. */
  public String getText(String path, String token) throws IOException, InterruptedException {
    HttpResponse<String> response =
        client.send(request(path, token).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "GET " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }

  public Answer get(String path, String token) throws IOException, InterruptedException {
    return send(request(path, token).GET());
  }

  public Answer post(String path, String token, Object body)
      throws IOException, InterruptedException {
    return withBody("POST", path, token, body);
  }

  /** A POST that may take as long as {@code timeout} to answer (a job run, a what-if). */
  public Answer post(String path, String token, Object body, Duration timeout)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = request(path, token).timeout(timeout);
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    return send(request.POST(publisher(body)));
  }

  /**
   * A JSON merge patch of a plugin's config, with the reason the billing plugin requires of every
   * change (the {@code X-Audit-Log-Reason} header, percent-encoded).
   */
  public Answer patchConfig(String path, String token, Object body, String reason)
      throws IOException, InterruptedException {
    return send(
        request(path, token)
            .header("Content-Type", "application/json")
            .header("X-Audit-Log-Reason", URLEncoder.encode(reason, StandardCharsets.UTF_8))
            .method("PATCH", publisher(body)));
  }

  private Answer withBody(String method, String path, String token, Object body)
      throws IOException, InterruptedException {
    return send(
        request(path, token)
            .header("Content-Type", "application/json")
            .method(method, publisher(body)));
  }

  private static HttpRequest.BodyPublisher publisher(Object body) throws IOException {
    return HttpRequest.BodyPublishers.ofString(body == null ? "" : JSON.writeValueAsString(body));
  }

  /**
   * Posts a batch of platform events and returns how many the host journaled now. Sent again
   * once when the connection fails: the events' ids make a repeat harmless. Refused with 503
   * {@code journal_backlog} (a plugin too far behind the journal: on Kafka intake does not wait
   * for the plugins, so a platform sending faster than billing applies meets it), it is sent
   * again after the {@code Retry-After} given, as a platform does, and counted in {@link
   * #backlogRefusals}.
   */
  public int postEvents(String platformToken, List<?> events)
      throws IOException, InterruptedException {
    while (true) {
      Answer answer;
      try {
        answer = post("/api/platform/events", platformToken, events);
      } catch (IOException e) {
        answer = post("/api/platform/events", platformToken, events);
      }
      if (answer.status() == 503
          && answer.body().at("/error/code").asText().equals("journal_backlog")) {
        backlogRefusals.incrementAndGet();
        Thread.sleep(Duration.ofSeconds(Math.max(1, answer.retryAfterSeconds())).toMillis());
        continue;
      }
      return answer.expect(202).path("accepted").asInt();
    }
  }

  /** How many batches were refused 503 {@code journal_backlog} and sent again, so far. */
  public long backlogRefusals() {
    return backlogRefusals.get();
  }

  /**
   * Waits until the billing plugin has applied the whole journal ({@code /api/health} shows its
   * lag at 0 events).
   *
   * @throws IllegalStateException when it has not within {@link #CATCH_UP}
   */
  public void awaitBillingCaughtUp() throws IOException, InterruptedException {
    String pluginId = "billing";
    Duration timeout = CATCH_UP;
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode plugin = null;
    while (System.nanoTime() < deadline) {
      plugin = null;
      for (JsonNode health : get("/api/health", null).body().path("plugins")) {
        if (health.path("id").asText().equals(pluginId)) {
          plugin = health;
        }
      }
      if (plugin != null && plugin.at("/lag/events").asLong(-1) == 0) {
        return;
      }
      // polls, not spins: the plugin applying the journal shares the machine's cores
      Thread.sleep(POLL.toMillis());
    }
    throw new IllegalStateException(
        pluginId + " did not apply the journal within " + timeout + ": " + plugin);
  }

  private HttpRequest.Builder request(String path, String token) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(CALL_TIMEOUT);
    return token == null ? request : request.header("Authorization", "Bearer " + token);
  }

  private Answer send(HttpRequest.Builder request) throws IOException, InterruptedException {
    HttpResponse<String> response =
        client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    String body = response.body();
    return new Answer(
        response.statusCode(),
        body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body),
        response.headers().firstValueAsLong("Retry-After").orElse(0));
  }
}
