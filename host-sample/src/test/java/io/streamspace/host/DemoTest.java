package io.streamspace.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.e2e.PackagedPlugin;
import io.streamspace.host.support.HostClient;
import io.streamspace.testing.MutableClock;
import io.streamspace.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --demo} run twice on the same data: nothing posted twice, nothing granted twice. */
class DemoTest {

  private static final String ADMIN_TOKEN = "demo-test-admin-token-0123456789abcdef";

  /** A printed POST: token, URL, idempotency key, body. */
  private static final Pattern CURL_POST =
      Pattern.compile(
          "curl -s -H 'Authorization: Bearer (\\S+)' '(\\S+)' -H 'Idempotency-Key: (\\S+)' -X POST -d '(.*)'");

  @TempDir Path work;

  @Test
  void aSecondDemoOnTheSameDataPostsNothingAndItsCreditAndInvoiceAnswerTheFirstResult()
      throws Exception {
    String dbUrl = TestDatabases.freshDatabaseUrl();
    MutableClock clock = new MutableClock(Instant.parse("2026-11-22T12:00:00Z"));
    Path data = work.resolve("data");

    List<String> firstPosts;
    JsonNode firstInvoice;
    JsonNode usageAfterFirst;
    try (Host host = start(dbUrl, clock)) {
      firstPosts = posts(Demo.run(host, data));
      firstInvoice = runPosts(host, firstPosts).get(1);
      usageAfterFirst = aliceUsage(host);
    }

    clock.set(clock.instant().plus(Duration.ofHours(3))); // within the keys' 24 hours
    try (Host host = start(dbUrl, clock)) {
      List<String> secondLines = Demo.run(host, data);
      assertEquals(
          "Demo data was posted at 2026-11-22T12:00:00Z (not again). Try:", secondLines.get(0));
      List<String> secondPosts = posts(secondLines);
      assertEquals(firstPosts, secondPosts, "the same requests, anchored at the first run");
      List<JsonNode> answers = runPosts(host, secondPosts);
      assertEquals(firstInvoice, answers.get(1), "the invoice POST answers the first invoice");
      // cpu and memory as before: no event applied twice (her 10 GB of storage kept accruing)
      assertEquals(sessionLines(usageAfterFirst), sessionLines(aliceUsage(host)));
      JsonNode credits =
          new HostClient(host.port())
              .get("/api/plugins/billing/credits?user_id=alice", ADMIN_TOKEN)
              .expect(200);
      assertEquals(1, credits.get("credits").size(), credits.toString());
    }
  }

  private Host start(String dbUrl, MutableClock clock) throws Exception {
    return Host.start(
        HostOptions.builder()
            .port(0)
            .dbUrl(dbUrl)
            .pluginsDir(PackagedPlugin.copyInto(work.resolve("plugins-" + System.nanoTime())))
            .clock(clock)
            .secrets(Map.of("BILLING_ADMIN_TOKEN", ADMIN_TOKEN))
            .build());
  }

  /** The printed POST lines, as URL path, key and body (tokens left out: users get new ones). */
  private static List<String> posts(List<String> lines) {
    List<String> posts = new ArrayList<>();
    for (String line : lines) {
      Matcher post = CURL_POST.matcher(line.trim());
      if (post.matches()) {
        posts.add(
            post.group(2).replaceFirst("http://localhost:\\d+", "")
                + " "
                + post.group(3)
                + " "
                + post.group(4));
      }
    }
    assertEquals(2, posts.size(), "a credit and an invoice: " + lines);
    return posts;
  }

  /** Sends each printed POST as the admin, as a user pasting the curl line would. */
  private static List<JsonNode> runPosts(Host host, List<String> posts) {
    HostClient client = new HostClient(host.port());
    List<JsonNode> answers = new ArrayList<>();
    for (String post : posts) {
      String[] parts = post.split(" ", 3);
      HostClient.Response answer =
          client.call("POST", parts[0], ADMIN_TOKEN, parts[2], Map.of("Idempotency-Key", parts[1]));
      assertTrue(answer.status() == 201, answer.toString());
      answers.add(answer.body());
    }
    assertFalse(answers.get(1).get("invoice_number").isNull(), answers.get(1).toString());
    return answers;
  }

  private static List<JsonNode> sessionLines(JsonNode usage) {
    List<JsonNode> lines = new ArrayList<>();
    usage
        .get("lines")
        .forEach(
            line -> {
              if (!line.get("resource_type").asText().equals("storage")) {
                lines.add(line);
              }
            });
    assertEquals(2, lines.size(), usage.toString());
    return lines;
  }

  private static JsonNode aliceUsage(Host host) {
    return new HostClient(host.port())
        .get("/api/plugins/billing/usage?user_id=alice&from=2026-11-01&to=2026-12-01", ADMIN_TOKEN)
        .expect(200);
  }
}
