package io.streamspace.billing.support;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.streamspace.billing.BillingExtension;
import io.streamspace.billing.money.UsageUnit;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.event.SessionActivity;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.event.UserEvent;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.jobs.JobRun;
import io.streamspace.testing.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * The billing extension loaded into a {@link TestPluginContext} on a clean database, with
 * helpers that read like the scenario: events in, job run, usage out.
 */
public final class BillingHarness implements AutoCloseable {

  public static final String CALCULATE_USAGE = "calculate-usage";

  /**
   * The default plans and USD rates, plus VND: rates of 1,250 per core-hour, 250 per GB-hour and
   * 2,500 per GB-month, and plan prices of 0, 750,000 and 2,500,000 VND.
   */
  public static final String USD_AND_VND_CONFIG =
      """
      {"currencyRates": {"VND": {"cpu_per_core_hour": 1250, "memory_per_gb_hour": 250,
         "storage_per_gb_month": 2500}},
       "currencyMeterRates": {"VND": {"bandwidth_gb": 2000, "transcoding_minutes": 500,
         "ai_queries": 25}},
       "subscriptionPlans": [
         {"id": "free", "name": "Free Tier", "price": 0, "interval": "month", "cpu_limit": 2,
          "memory_limit": 4, "storage_limit": 10, "prices": {"VND": 0}},
         {"id": "pro", "name": "Professional", "price": 29.99, "interval": "month",
          "cpu_limit": 8, "memory_limit": 16, "storage_limit": 100, "prices": {"VND": 750000}},
         {"id": "enterprise", "name": "Enterprise", "price": 99.99, "interval": "month",
          "cpu_limit": 32, "memory_limit": 64, "storage_limit": 500,
          "prices": {"VND": 2500000}}]}""";

  // decimals read exactly as written: 1.00 stays 1.00
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

  public final MutableClock clock;
  public final TestPluginContext context;
  public final BillingExtension billing = new BillingExtension();

  public BillingHarness(Instant now, String configJson) {
    this(now, configJson, TestDatabase.dataSource());
  }

  /** A harness whose plugin uses {@code dataSource} over the test database (a recording one). */
  public BillingHarness(Instant now, String configJson, DataSource dataSource) {
    clock = new MutableClock(now);
    context = new TestPluginContext(clock, dataSource);
    context.setConfigJson(configJson);
    // before the load too: what onLoad reads into memory (admission's view, the holds) must not
    // be an earlier test's accounts
    TestDatabase.clean();
    billing.onLoad(context);
    TestDatabase.clean();
  }

  public BillingHarness(Instant now) {
    this(now, "{}");
  }

  @Override
  public void close() {
    billing.onUnload(context);
  }

  public static Instant at(String isoInstant) {
    return Instant.parse(isoInstant);
  }

  public static ResourceSize size(String cpu, String memoryGb, String storageGb) {
    return new ResourceSize(
        new BigDecimal(cpu), new BigDecimal(memoryGb), new BigDecimal(storageGb));
  }

  public static SessionEvent event(
      String id, String at, String session, String user, ResourceSize size) {
    return new SessionEvent(id, Instant.parse(at), session, user, size);
  }

  public static Caller user(String userId) {
    return new Caller(userId, Set.of(Caller.ROLE_USER));
  }

  public static Caller admin(String userId) {
    return new Caller(userId, Set.of(Caller.ROLE_ADMIN));
  }

  public void userCreated(String userId, Map<String, String> attributes) {
    billing.onUserCreated(
        context,
        new UserEvent(
            UUID.randomUUID().toString(),
            clock.instant(),
            userId,
            userId + "@example.com",
            null,
            attributes));
  }

  public void created(String at, String session, String user, ResourceSize size) {
    billing.onSessionCreated(context, event(UUID.randomUUID().toString(), at, session, user, size));
  }

  /** A session of that size from {@code from} to {@code to}: created, then terminated. */
  public void session(String session, String user, String from, String to, ResourceSize size) {
    created(from, session, user, size);
    terminated(to, session, user);
  }

  public void heartbeat(String at, String session, String user, ResourceSize size) {
    billing.onSessionHeartbeat(
        context, event(UUID.randomUUID().toString(), at, session, user, size));
  }

  /** A heartbeat of event {@code id} reporting the session's activity {@code state}. */
  public SessionEvent activity(String id, String at, String session, String user, String state) {
    return new SessionEvent(
        id,
        Instant.parse(at),
        session,
        user,
        null,
        null,
        new SessionActivity(SessionActivity.State.fromWire(state)));
  }

  public void terminated(String at, String session, String user) {
    terminated(at, session, user, null);
  }

  /** A terminate reporting what the session holds as it ends (storage outlives it). */
  public void terminated(String at, String session, String user, ResourceSize size) {
    billing.onSessionTerminated(
        context, event(UUID.randomUUID().toString(), at, session, user, size));
  }

  /** Waits until every event handed over so far is stored. */
  /**
   * Delivers events flush by flush, as written: {@code "a b | c"} delivers a and b, flushes,
   * then delivers c and flushes.
   */
  public void deliverInFlushes(String deliveries, Consumer<String> deliver) {
    for (String flush : deliveries.split("\\|")) {
      for (String event : flush.trim().split(" ")) {
        deliver.accept(event);
      }
      flush();
    }
  }

  public void flush() {
    billing.flush().toCompletableFuture().join();
  }

  /** Flushes, sets the clock, and runs calculate-usage through the scheduler. */
  public JobRun calculateUsageAt(String now) {
    return runAt(CALCULATE_USAGE, now);
  }

  /** Flushes, sets the clock, and runs the job through the scheduler. */
  public JobRun runAt(String job, String now) {
    flush();
    clock.set(Instant.parse(now));
    return context.scheduler().run(job);
  }

  /**
   * An admin's grant of {@code amount} USD to the organization's prepaid balance, as {@code POST
   * /admin/balance} takes it (reason "wire"); answers the route's answer.
   */
  public Answer grant(String orgId, String amount) {
    return call(
        HttpMethod.POST,
        "/admin/balance",
        admin("root"),
        "{\"org_id\":\"%s\",\"amount\":%s,\"currency\":\"USD\",\"reason\":\"wire\"}"
            .formatted(orgId, amount));
  }

  /** The payloads of the platform events published under that name so far, in order. */
  public List<String> published(String name) {
    return context.published().stream()
        .filter(e -> e.startsWith(name + " "))
        .map(e -> e.substring(name.length() + 1))
        .toList();
  }

  /** Calls a route; answers its status and JSON body. */
  public Answer call(HttpMethod method, String pathAndQuery, Caller caller) {
    return call(method, pathAndQuery, caller, null);
  }

  /** Calls a route with a JSON body; answers its status and JSON body. */
  public Answer call(HttpMethod method, String pathAndQuery, Caller caller, String body) {
    return call(method, pathAndQuery, caller, body, Map.of());
  }

  /** Calls a route with a body and headers (names in lower case, as the host passes them). */
  public Answer call(
      HttpMethod method,
      String pathAndQuery,
      Caller caller,
      String body,
      Map<String, String> headers) {
    HttpResponse response = context.routes().call(method, pathAndQuery, caller, body, headers);
    try {
      return new Answer(response.status(), JSON.readTree(bodyText(response)));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Calls a route with a body of bytes and its content type; answers status and JSON body. */
  public Answer call(
      HttpMethod method, String pathAndQuery, Caller caller, byte[] body, String contentType) {
    HttpResponse response =
        context
            .routes()
            .call(method, pathAndQuery, caller, body, Map.of("content-type", contentType));
    try {
      return new Answer(response.status(), JSON.readTree(bodyText(response)));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Calls a {@code GET} route; answers its response whole, a streamed body written out. */
  public Text text(String pathAndQuery, Caller caller) {
    HttpResponse response =
        context.routes().call(HttpMethod.GET, pathAndQuery, caller, (String) null, Map.of());
    return new Text(
        response.status(), response.contentType(), response.headers(), bodyText(response));
  }

  /** A response as text. */
  public record Text(int status, String contentType, Map<String, String> headers, String body) {}

  /** The body as text: a streamed body is written out as the host would. */
  private static String bodyText(HttpResponse response) {
    if (!response.isStreamed()) {
      return new String(response.body(), StandardCharsets.UTF_8);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      response.bodyWriter().writeTo(out);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** JSON text read as the routes' answers are, decimals exactly as written. */
  public static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** A route's answer. */
  public record Answer(int status, JsonNode body) {

    /** The {@code error.field} of an error answer. */
    public String errorField() {
      return body.at("/error/field").asText(null);
    }

    /** The {@code error.message} of an error answer. */
    public String errorMessage() {
      return body.at("/error/message").asText(null);
    }
  }

  /** Runs a query and answers its rows, each as a list of column values. */
  public static List<List<Object>> rows(String sql, Object... params) {
    try (Connection c = TestDatabase.dataSource().getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        s.setObject(i + 1, params[i]);
      }
      List<List<Object>> rows = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          List<Object> row = new ArrayList<>();
          for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
            row.add(rs.getObject(i));
          }
          rows.add(row);
        }
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Every billing table's row count and a digest of its rows, by table: equal before and after
   * a refused request when it changed nothing.
   */
  public static Map<String, String> tableContents() {
    Map<String, String> contents = new java.util.TreeMap<>();
    for (List<Object> table :
        rows(
            """
        SELECT tablename FROM pg_tables WHERE schemaname = current_schema()
          AND tablename LIKE 'billing\\_%' AND tablename <> 'billing_schema_history'""")) {
      String name = (String) table.get(0);
      contents.put(
          name,
          rows("SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, '|'"
                  + " ORDER BY t::text)), '') FROM "
                  + name
                  + " t")
              .get(0)
              .get(0)
              .toString());
    }
    return contents;
  }

  /** The single value of a one-row, one-column query. */
  public static Object value(String sql, Object... params) {
    return rows(sql, params).get(0).get(0);
  }

  /**
   * The user's usage records as {@code "resource slice_start..slice_end quantity"} lines,
   * ordered, with UTC instants and each record's quantity in its unit as a report shows it
   * ({@link UsageUnit#quantity}): easy to compare with figures worked out by hand.
   */
  public static List<String> slices(String userId) {
    return rows(
            """
        SELECT resource_type, slice_start, slice_end, unit_seconds FROM billing_usage_records
        WHERE user_id = ? ORDER BY resource_type, slice_start""",
            userId)
        .stream()
        .map(
            r ->
                r.get(0)
                    + " "
                    + instant(r.get(1))
                    + ".."
                    + instant(r.get(2))
                    + " "
                    + UsageUnit.ofResourceType((String) r.get(0))
                        .quantity((BigDecimal) r.get(3))
                        .toPlainString())
        .toList();
  }

  private static String instant(Object timestamp) {
    return ((java.sql.Timestamp) timestamp).toInstant().toString();
  }
}
