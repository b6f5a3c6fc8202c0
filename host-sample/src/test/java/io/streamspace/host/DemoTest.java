package io.streamspace.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.e2e.BillingPluginBuilds;
import io.streamspace.host.support.DemoConsole;
import io.streamspace.host.support.HostClient;
import io.streamspace.host.support.TestRepository;
import io.streamspace.testing.MutableClock;
import io.streamspace.testing.TestDatabases;
import java.nio.file.Files;
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

/**
 * {@code --demo} installs the billing plugin from a plugin repository through the host's API,
 * and run twice on the same data installs nothing, posts nothing and grants nothing twice.
 */
class DemoTest {

  private static final String ADMIN_TOKEN = "demo-test-admin-token-0123456789abcdef";

  /** A printed POST: token, URL, idempotency key, body. */
  private static final Pattern CURL_POST =
      Pattern.compile(
          "curl -s -H 'Authorization: Bearer (\\S+)' '(\\S+)' -H 'Idempotency-Key: (\\S+)' -X POST -d '(.*)'");

  /** A printed GET: token, URL. */
  private static final Pattern CURL_GET =
      Pattern.compile("curl -s -H 'Authorization: Bearer (\\S+)' 'http://localhost:\\d+(\\S+)'");

  private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

  @TempDir Path work;

  @Test
  void theDemoInstallsAndEnablesBillingFromTheRepositoryThroughTheApiAsTheAdmin() throws Exception {
    TestRepository repository = new TestRepository(work.resolve("repository")).publishBilling();
    String version = BillingPluginBuilds.packagedVersion();
    try (Host host = start(TestDatabases.freshDatabaseUrl(), new MutableClock(NOW), repository)) {
      List<String> lines = Demo.run(host, work.resolve("data"));

      assertEquals(DemoConsole.installedFromTheCatalog(version), lines.subList(0, 5));
      HostClient admin = new HostClient(host.port());
      JsonNode installed = admin.get("/api/admin/plugins", ADMIN_TOKEN).expect(200);
      assertEquals(version, installed.at("/plugins/0/version").asText(), installed.toString());
      assertEquals("started", installed.at("/plugins/0/state").asText());
      assertEquals(List.of("enable admin", "install admin " + version), history(host));
      assertTrue(
          Files.exists(work.resolve("plugins").resolve("billing-" + version + ".zip")),
          "installed into the plugins folder");
      // the jobs ran on the plugin it installed: alice's usage is there
      assertEquals(2, sessionLines(aliceUsage(host)).size());
    }
  }

  /**
   * The demo is anchored on the hour, so bob's running session (4 cores, 8 GB, 20 GB stored, from
   * 09:00) is rated up to 11:00: 8 core-hours and 16 GB-hours, 0.40 + 0.16 = 0.56; carol's 0.35
   * and dan's 0.24 as printed; acme's 20 GB for those 2 hours, 0.054795 GB-months, is 0.01.
   */
  @Test
  void theTeamsPrintedLinesShowItsUsageByMemberToItsOwnerAndAdmin_andAMemberItsQuotaAndTheirPart()
      throws Exception {
    TestRepository repository = new TestRepository(work.resolve("repository")).publishBilling();
    try (Host host = start(TestDatabases.freshDatabaseUrl(), new MutableClock(NOW), repository)) {
      List<HostClient.Response> answers = teamGets(host, Demo.run(host, work.resolve("data")));

      assertEquals(5, answers.size(), answers.toString());
      JsonNode asOwner = answers.get(0).expect(200);
      assertEquals("acme", asOwner.get("user_id").asText());
      assertEquals("1.16", asOwner.get("total_cost").decimalValue().toPlainString());
      assertEquals(
          "[{\"user_id\":\"bob\",\"total_cost\":0.56},{\"user_id\":\"carol\",\"total_cost\":0.35},"
              + "{\"user_id\":\"dan\",\"total_cost\":0.24}]",
          asOwner.get("by_member").toString());
      assertEquals("0.01", asOwner.get("organization_cost").decimalValue().toPlainString());
      assertEquals(asOwner, answers.get(1).expect(200), "the admin reads what the owner reads");
      assertEquals("acme", answers.get(2).expect(200).get("user_id").asText(), "dan's quota");
      assertEquals(
          "admin_required", answers.get(3).expect(403).at("/error/code").asText(), "dan's usage");
      JsonNode dansOwn = answers.get(4).expect(200);
      assertEquals("dan", dansOwn.get("member_id").asText());
      assertEquals(
          "0.24", dansOwn.get("total_cost").decimalValue().toPlainString(), "his by_member part");
    }
  }

  @Test
  void aSecondDemoOnTheSameDataPostsNothingAndItsCreditAndInvoiceAnswerTheFirstResult()
      throws Exception {
    String dbUrl = TestDatabases.freshDatabaseUrl();
    MutableClock clock = new MutableClock(NOW);
    Path data = work.resolve("data");
    TestRepository repository = new TestRepository(work.resolve("repository")).publishBilling();

    List<String> firstPosts;
    JsonNode firstInvoice;
    JsonNode usageAfterFirst;
    try (Host host = start(dbUrl, clock, repository)) {
      firstPosts = posts(Demo.run(host, data));
      firstInvoice = runPosts(host, firstPosts).get(1);
      usageAfterFirst = aliceUsage(host);
    }

    clock.set(clock.instant().plus(Duration.ofHours(3))); // within the keys' 24 hours
    String version = BillingPluginBuilds.packagedVersion();
    repository.publishBilling(Map.of("plugin.version", "9.0.0")); // a newer release meanwhile
    try (Host host = start(dbUrl, clock, repository)) {
      List<String> secondLines = Demo.run(host, data);
      assertEquals(
          List.of(
              "The billing plugin " + version + " is installed already (started).",
              "  The repository has 9.0.0, left for you to update to:"),
          secondLines.subList(0, 2));
      assertTrue(
          secondLines.get(2).matches(".*/api/admin/plugins/billing/update' -X POST"),
          secondLines.get(2));
      assertEquals(
          "Demo data was posted at 2026-11-22T12:00:00Z (not again). Try:", secondLines.get(3));
      assertEquals(List.of("enable admin", "install admin " + version), history(host));
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

  /** A host on {@code work/plugins} (empty at first) with the repository, as the jar starts. */
  private Host start(String dbUrl, MutableClock clock, TestRepository repository) {
    return Host.start(
        HostOptions.builder()
            .port(0)
            .dbUrl(dbUrl)
            .pluginsDir(work.resolve("plugins"))
            .pluginRepository(repository.location())
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

  /** Sends each printed GET of the team organization, with its token, as a user would. */
  private static List<HostClient.Response> teamGets(Host host, List<String> lines) {
    HostClient client = new HostClient(host.port());
    List<HostClient.Response> answers = new ArrayList<>();
    for (String line : lines) {
      Matcher get = CURL_GET.matcher(line.trim());
      if (get.matches() && get.group(2).contains("org_id=acme")) {
        answers.add(client.get(get.group(2), get.group(1)));
      }
    }
    return answers;
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

  /** The billing plugin's history, newest first: operation, actor and version installed. */
  private static List<String> history(Host host) {
    List<String> entries = new ArrayList<>();
    for (JsonNode entry :
        new HostClient(host.port())
            .get("/api/admin/plugins/billing/history", ADMIN_TOKEN)
            .expect(200)
            .get("operations")) {
      String operation = entry.get("operation").asText() + " " + entry.get("actor").asText();
      entries.add(
          operation.startsWith("install ")
              ? operation + " " + entry.get("to_version").asText()
              : operation);
    }
    return entries;
  }

  private static JsonNode aliceUsage(Host host) {
    return new HostClient(host.port())
        .get("/api/plugins/billing/usage?user_id=alice&from=2026-11-01&to=2026-12-01", ADMIN_TOKEN)
        .expect(200);
  }
}
