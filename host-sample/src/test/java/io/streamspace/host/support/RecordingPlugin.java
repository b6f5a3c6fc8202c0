package io.streamspace.host.support;

import io.streamspace.plugin.api.PlatformPlugin;
import io.streamspace.plugin.api.PluginContext;
import io.streamspace.plugin.api.config.ConfigKey;
import io.streamspace.plugin.api.config.ConfigProblem;
import io.streamspace.plugin.api.config.ConfigSchema;
import io.streamspace.plugin.api.config.ConfigurablePlugin;
import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.event.UsageReport;
import io.streamspace.plugin.api.event.UserEvent;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.jobs.JobResult;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A test plugin: records every hook, serves a few routes (one reads the database), schedules a
 * few jobs, and has one config key {@code rate} (a number, default 1.5) and a secret {@code apiKey}
 * read from {@code RECORDING_API_KEY}.
 *
 * <p>{@code POST /things?status=} counts its runs in {@link #thingsMade} and answers
 * {@code {"n": run number}} with that status (default 201), or throws with {@code ?throw=1};
 * {@code POST /slow} signals {@link #slowStarted} and waits for {@link #slowGate} first.
 *
 * <p>{@code GET /stream} answers a streamed CSV: {@code first} (flushed), then signals {@link
 * #streamStarted}, waits for {@link #streamGate} and writes {@code ?lines=} more lines (or fails
 * with {@code ?fail=after}; {@code ?fail=before} fails before writing anything); what it failed
 * with goes to {@link #streamFailure}, and {@link #streamEnded} counts down when it returns.
 *
 * <p>While {@link #organizationEventsRefused} holds a reason, it sets organization events aside
 * as dead letters with that reason instead of recording them, as a plugin whose database refuses
 * them.
 */
public final class RecordingPlugin implements PlatformPlugin, ConfigurablePlugin {

  public final List<String> hooks = new CopyOnWriteArrayList<>();
  public final List<Object> events = new CopyOnWriteArrayList<>();
  public final AtomicInteger configChanges = new AtomicInteger();
  public final AtomicInteger thingsMade = new AtomicInteger();

  /** Runs of the job {@code count} on this plugin's node. */
  public final AtomicInteger countRuns = new AtomicInteger();

  public volatile CountDownLatch slowStarted = new CountDownLatch(0);
  public volatile CountDownLatch slowGate = new CountDownLatch(0);

  /**
   * The job {@code gated} counts {@link #gatedJobStarted} down, waits for {@link #jobGate}, then
   * reads the database: a job that is running when the database goes away.
   */
  public volatile CountDownLatch gatedJobStarted = new CountDownLatch(0);

  public volatile CountDownLatch jobGate = new CountDownLatch(0);

  /** While closed, {@link #flush()} does not complete: the plugin falls behind the journal. */
  public volatile CountDownLatch flushGate = new CountDownLatch(0);

  /** While set, {@link #flush()} fails, as a plugin whose database refuses its writes. */
  public volatile boolean flushFails;

  public volatile PluginContext context;

  public volatile CountDownLatch streamStarted = new CountDownLatch(0);
  public volatile CountDownLatch streamGate = new CountDownLatch(0);
  public volatile CountDownLatch streamEnded = new CountDownLatch(0);

  /** While set, organization events are dead letters with this reason; null records them. */
  public volatile String organizationEventsRefused;

  /** What the last {@code /stream} writer failed with; null when it completed. */
  public volatile Exception streamFailure;

  @Override
  public void onLoad(PluginContext context) {
    this.context = context;
    hooks.add("onLoad");
    context
        .routes()
        .add(
            HttpMethod.GET,
            "/echo/{name}",
            request ->
                HttpResponse.json(
                    200,
                    "{\"name\":\""
                        + request.pathParam("name")
                        + "\",\"user\":\""
                        + request.caller().userId()
                        + "\",\"q\":\""
                        + request.queryParam("q").orElse("")
                        + "\",\"orgs\":\""
                        + new TreeMap<>(request.caller().memberships())
                        + "\"}"));
    context
        .routes()
        .add(
            HttpMethod.GET,
            "/boom",
            request -> {
              throw new IllegalStateException("secret internal detail");
            });
    context
        .routes()
        .add(
            HttpMethod.POST,
            "/things",
            request -> {
              if (request.queryParam("throw").isPresent()) {
                throw new IllegalStateException("thing broke");
              }
              int status = Integer.parseInt(request.queryParam("status").orElse("201"));
              return HttpResponse.json(status, "{\"n\":" + thingsMade.incrementAndGet() + "}");
            });
    context
        .routes()
        .add(
            HttpMethod.POST,
            "/slow",
            request -> {
              slowStarted.countDown();
              if (!slowGate.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never opened the gate");
              }
              return HttpResponse.json(201, "{\"n\":" + thingsMade.incrementAndGet() + "}");
            });
    context.routes().add(HttpMethod.GET, "/stream", this::stream);
    // a read that lets its database failure escape to the host, as a plugin without its own mapping
    context
        .routes()
        .add(
            HttpMethod.GET,
            "/database",
            request -> {
              try (var connection = context.dataSource().getConnection()) {
                return HttpResponse.json(200, "{\"valid\":" + connection.isValid(1) + "}");
              }
            });
    context
        .scheduler()
        .schedule(
            "count",
            "0 * * * *",
            ZoneOffset.UTC,
            job -> {
              countRuns.incrementAndGet();
              return JobResult.of(42, "counted");
            });
    context
        .scheduler()
        .schedule(
            "fail",
            "0 0 1 * *",
            ZoneOffset.UTC,
            job -> {
              throw new IllegalStateException("job broke");
            });
    context
        .scheduler()
        .schedule(
            "gated",
            "0 0 1 1 *",
            ZoneOffset.UTC,
            job -> {
              gatedJobStarted.countDown();
              if (!jobGate.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never opened the gate");
              }
              try (var connection = context.dataSource().getConnection()) {
                return JobResult.of(connection.isValid(1) ? 1 : 0, "read the database");
              }
            });
  }

  private HttpResponse stream(HttpRequest request) {
    String fail = request.queryParam("fail").orElse("");
    int lines = Integer.parseInt(request.queryParam("lines").orElse("1"));
    return HttpResponse.streamed(
        200,
        "text/csv",
        Map.of("Content-Disposition", "attachment; filename=\"stream.csv\""),
        out -> {
          streamFailure = null;
          try {
            if (fail.equals("before")) {
              throw new IllegalStateException("failed before writing");
            }
            out.write("first\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            streamStarted.countDown();
            if (!streamGate.await(30, TimeUnit.SECONDS)) {
              throw new IllegalStateException("the test never opened the gate");
            }
            if (fail.equals("after")) {
              throw new IllegalStateException("failed after the first line");
            }
            for (int i = 1; i <= lines; i++) {
              out.write(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
            }
          } catch (Exception e) {
            streamFailure = e;
            throw e;
          } finally {
            streamEnded.countDown();
          }
        });
  }

  @Override
  public CompletionStage<Void> flush() {
    if (flushFails) {
      return CompletableFuture.failedFuture(new IllegalStateException("the test fails flushes"));
    }
    CountDownLatch gate = flushGate;
    return gate.getCount() == 0
        ? CompletableFuture.completedFuture(null)
        : CompletableFuture.runAsync(
            () -> {
              try {
                gate.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
  }

  @Override
  public void onUnload(PluginContext context) {
    hooks.add("onUnload");
  }

  @Override
  public void onUserCreated(PluginContext context, UserEvent event) {
    events.add(event);
  }

  @Override
  public void onSessionCreated(PluginContext context, SessionEvent event) {
    events.add(event);
  }

  @Override
  public void onSessionHeartbeat(PluginContext context, SessionEvent event) {
    events.add(event);
  }

  @Override
  public void onSessionTerminated(PluginContext context, SessionEvent event) {
    events.add(event);
  }

  @Override
  public void onUsageReported(PluginContext context, UsageReport report) {
    events.add(report);
  }

  @Override
  public void onOrganizationEvent(PluginContext context, OrganizationEvent event) {
    String refused = organizationEventsRefused;
    if (refused == null) {
      events.add(event);
    } else {
      context.deadLetters().recordOrganizationEvent(event, refused);
    }
  }

  @Override
  public String displayName() {
    return "Recording plugin";
  }

  @Override
  public ConfigSchema configSchema() {
    return new ConfigSchema(
        List.of(
            new ConfigKey("rate", "number", "1.5", "a rate", false),
            ConfigKey.secretFromEnvironment("apiKey", "RECORDING_API_KEY", "an API key")));
  }

  @Override
  public List<ConfigProblem> validateConfig(String configJson) {
    return configJson.contains("\"rate\":-")
        ? List.of(new ConfigProblem("rate", "must not be negative"))
        : List.of();
  }

  @Override
  public String effectiveConfig(String configJson) {
    Matcher rate = Pattern.compile("\"rate\":\\s*([0-9.]+)").matcher(configJson);
    return "{\"rate\":" + (rate.find() ? rate.group(1) : "1.5") + ",\"apiKey\":\"****\"}";
  }

  @Override
  public void onConfigChanged(PluginContext context) {
    configChanges.incrementAndGet();
  }
}
