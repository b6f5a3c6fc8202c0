package io.streamspace.host;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.plugins.ActivePlugin;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.jobs.JobRun;
import io.streamspace.plugin.api.jobs.JobScheduler;
import io.streamspace.plugin.api.jobs.JobStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --demo}: installs the billing plugin from the plugin catalog through the host's API
 * ({@link DemoInstall}), posts two single users, two team organizations, their members, sessions
 * and usage reports ({@link DemoEvents}) through the same intake the HTTP endpoint uses, runs
 * every plugin job once through the scheduler, invoices alice and puts a creator's theme on sale
 * through the plugin's routes ({@link DemoActions}), and returns what it did, a link per user
 * (and the creator, the store, the admin, the admin page's leads and what-if) that opens the
 * billing pages signed in, and curl lines (with real tokens) that show the result.
 *
 * <p>Idempotent on the same data folder: the first run anchors the demo's times at its start
 * and keeps that instant in {@code demo-anchor} once the events are acknowledged; later runs post
 * nothing, find alice's invoice and the theme made already, and print the same requests. What the
 * lines say of acme's AI overage is read from its quota on each run: once bob has confirmed it,
 * nothing says it awaits him.
 */
final class Demo {

  private static final Logger log = LoggerFactory.getLogger(Demo.class);
  private static final String FIRST_JOB = "calculate-usage";
  private static final Duration JOB_WAIT = Duration.ofMinutes(2);
  private static final Duration DEMO_ADMIN_TOKEN_LIFE = Duration.ofDays(1);

  static final String ANCHOR_FILE = "demo-anchor";

  private Demo() {}

  static List<String> run(Host host, Path dataDir) throws IOException {
    String admin = host.adminToken().orElseGet(() -> demoAdminToken(host));
    List<String> lines = new ArrayList<>(DemoInstall.billing(host.url(), admin));
    Path anchorFile = dataDir.resolve(ANCHOR_FILE);
    Instant now;
    String heading;
    if (Files.exists(anchorFile)) {
      now = Instant.parse(Files.readString(anchorFile).trim());
      heading = "Demo data was posted at " + now + " (not again). " + STORY;
    } else {
      now = host.clock().instant().truncatedTo(ChronoUnit.SECONDS);
      postEvents(host, now);
      Files.createDirectories(dataDir);
      Files.writeString(anchorFile, now.toString());
      heading = "Demo data posted. " + STORY;
    }
    runJobs(host);
    Map<String, String> tokens = new LinkedHashMap<>();
    for (String user : USERS) {
      tokens.put(user, userToken(host, user));
    }
    String creator =
        host.tokens()
            .issue(DemoActions.CREATOR, Set.of(Caller.ROLE_USER, Caller.ROLE_CREATOR), null)
            .token();
    DemoApi api = new DemoApi(host.url());
    DemoActions.Done done = DemoActions.run(api, admin, creator, now);
    Overage overage = Overage.of(api, tokens.get("bob"));
    lines.add(heading);
    lines.addAll(pageLines(host.url(), tokens, creator, admin, overage, done.themeStatus()));
    lines.addAll(sectionLines(host.url()));
    lines.addAll(done.lines());
    lines.add("The API, with curl:");
    lines.addAll(curlLines(host.url(), tokens, admin, now, done.aliceInvoiceId(), overage));
    return lines;
  }

  /** Where the first line sends the reader for the whole story. */
  private static final String STORY =
      "Its story: docs/getting-started.md. The pages, each link signed in as its user:";

  /** The demo's users whose pages are listed, in that order. */
  private static final List<String> USERS = List.of("alice", "erin", "bob", "carol", "dan");

  /**
   * acme's AI overage as bob reads it on this run (its quota's {@code ai_queries} state): waiting
   * for his confirmation, confirmed (billed), or neither (a later period, or no billing plugin).
   */
  enum Overage {
    AWAITS,
    CONFIRMED,
    NONE;

    static Overage of(DemoApi api, String bob) {
      try {
        for (JsonNode meter :
            api.get(bob, DemoApi.BILLING + "/quota?org_id=" + DemoEvents.TEAM)
                .body()
                .path("meters")) {
          if (meter.path("meter").asText().equals("ai_queries")) {
            return switch (meter.path("state").asText()) {
              case "confirmation_required" -> AWAITS;
              case "exceeded" -> CONFIRMED;
              default -> NONE;
            };
          }
        }
      } catch (IOException e) {
        log.warn("Demo could not read acme's quota", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return NONE;
    }
  }

  /** What each user's page shows, by user. */
  private static Map<String, String> users(Overage overage) {
    Map<String, String> users = new LinkedHashMap<>();
    users.put("alice", "a single user, within her limits, invoiced");
    users.put("erin", "a single user paying in VND, storage near her limit");
    users.put(
        "bob",
        "acme's Owner: choose acme"
            + switch (overage) {
              case AWAITS -> ", its AI overage awaits him";
              case CONFIRMED -> ", he confirmed its AI overage";
              case NONE -> "";
            });
    users.put("carol", "acme's Admin");
    users.put("dan", "acme's Member");
    return users;
  }

  /** The user page of this host. */
  static final String USER_PAGE = "/api/plugins/billing/ui/";

  /** The admin page of this host. */
  static final String ADMIN_PAGE = "/api/plugins/billing/ui/admin";

  /** The theme store. */
  static final String STORE_PAGE = "/api/plugins/billing/ui/store";

  /** The creators' page. */
  static final String CREATOR_PAGE = "/api/plugins/billing/ui/creator";

  /** The host's plugins page, for the admin. */
  static final String PLUGINS_PAGE = "/admin/plugins";

  /**
   * A link to a page that signs in with {@code token}: the page reads it from the fragment (never
   * sent to the server), keeps it in the tab's sessionStorage and takes it out of the address.
   */
  static String signedIn(String base, String page, String token) {
    return base + page + "#token=" + token;
  }

  /**
   * A line per demo user with their page, signed in, then the creator's, the store (as bob, who
   * may buy for acme), the admin's and the host's plugins page, the links aligned.
   */
  private static List<String> pageLines(
      String base,
      Map<String, String> tokens,
      String creator,
      String admin,
      Overage overage,
      String themeStatus) {
    Map<String, String> links = new LinkedHashMap<>();
    users(overage)
        .forEach(
            (user, what) ->
                links.put(user + " (" + what + ")", signedIn(base, USER_PAGE, tokens.get(user))));
    String theme =
        DemoTheme.NAME + (themeStatus == null ? "" : ", " + themeStatus.replace('_', ' '));
    links.put(
        DemoActions.CREATOR + " (a creator: her theme " + theme + ")",
        signedIn(base, CREATOR_PAGE, creator));
    links.put(
        "the store (" + DemoTheme.NAME + ", as bob: he may buy it)",
        signedIn(base, STORE_PAGE, tokens.get("bob")));
    links.put("the admin (every account)", signedIn(base, ADMIN_PAGE, admin));
    links.put("plugins (the admin: the catalog, config)", signedIn(base, PLUGINS_PAGE, admin));
    return aligned(links);
  }

  /**
   * The admin page's sections the demo fills, by their addresses: a page reads its sign-in link's
   * token into the tab, so they open in the tab the admin's link signed in.
   */
  private static List<String> sectionLines(String base) {
    Map<String, String> links = new LinkedHashMap<>();
    links.put(
        "leads (" + DemoEvents.LEAD + ": all 8 of Pro's cores in use, a sales lead)",
        base + ADMIN_PAGE + "#leads");
    links.put(
        "what-if (Rate: CPU, per core-hour; New rate: 0.10; Re-rate)",
        base + ADMIN_PAGE + "#what-if");
    List<String> lines = new ArrayList<>();
    lines.add("The admin page's sections, in the tab its link above signed in:");
    lines.addAll(aligned(links));
    return lines;
  }

  /** "  label  link", a line each, the links aligned. */
  private static List<String> aligned(Map<String, String> links) {
    int width = links.keySet().stream().mapToInt(String::length).max().orElse(0);
    List<String> lines = new ArrayList<>();
    links.forEach(
        (label, link) -> lines.add("  " + label + " ".repeat(width + 2 - label.length()) + link));
    return lines;
  }

  private static void postEvents(Host host, Instant now) {
    host.intake().receive(DemoEvents.batch(now));
  }

  private static List<String> curlLines(
      String base,
      Map<String, String> tokens,
      String admin,
      Instant now,
      Long aliceInvoiceId,
      Overage overage) {
    String alice = tokens.get("alice");
    List<String> lines = new ArrayList<>();
    lines.add("  # alice's usage this month (2 cores, 4 GB for 10 hours: 1.00 + 0.40), as alice");
    lines.add(curl(alice, base + "/api/plugins/billing/usage"));
    lines.add(
        "  # erin's, in VND at the default VND rates (1 core, 2 GB for 2 hours: 2,500 + 1,000)"
            + " and her quota (storage 1.7 of 2 GB: warning), as erin");
    lines.add(curl(tokens.get("erin"), base + "/api/plugins/billing/usage"));
    lines.add(curl(tokens.get("erin"), base + "/api/plugins/billing/quota"));
    lines.addAll(teamLines(base, tokens, overage));
    lines.add(
        "  # as the admin: anyone's usage, the jobs, the installed plugins, the billing config"
            + " and its history");
    lines.add(curl(admin, base + "/api/plugins/billing/usage?user_id=alice"));
    lines.add(curl(admin, base + "/api/plugins/billing/jobs/status"));
    lines.add(curl(admin, base + "/api/admin/plugins"));
    lines.add(curl(admin, base + "/api/admin/plugins/billing/config"));
    lines.add(curl(admin, base + "/api/admin/plugins/billing/history"));
    lines.add(
        "  # as the admin: the sales leads (globex: hit_hard_limit), and the events plugins"
            + " published on this node since it started (the answer's since)");
    lines.add(curl(admin, base + "/api/plugins/billing/admin/leads"));
    lines.add(curl(admin, base + "/api/admin/events"));
    lines.add(
        "  # the store's catalog, as bob: the themes an admin approved ("
            + DemoTheme.NAME
            + " above)");
    lines.add(curl(tokens.get("bob"), base + "/api/plugins/billing/store/items"));
    lines.add("  # as alice: her invoices (then GET /invoices/{id}/pdf for the PDF) and credits");
    lines.add(curl(alice, base + "/api/plugins/billing/invoices"));
    lines.add(curl(alice, base + "/api/plugins/billing/credits"));
    lines.add(
        "  # as alice: why her invoice's first line (CPU, 1.00) is what it is, down to the events"
            + " the platform sent");
    lines.add(
        curl(
            alice,
            base
                + "/api/plugins/billing/invoices/"
                + (aliceInvoiceId == null ? "{id}" : aliceInvoiceId)
                + "/lines/1/explain"));
    lines.addAll(whatIfLines(base, admin, now));
    return lines;
  }

  /**
   * A what-if of this month (the default billing period: a calendar month in UTC) at twice the
   * CPU rate: what each organization would pay, written nowhere.
   */
  private static List<String> whatIfLines(String base, String admin, Instant now) {
    YearMonth month = YearMonth.from(now.atZone(ZoneOffset.UTC));
    return List.of(
        "  # as the admin: this month's invoices again at twice the CPU rate (0.10 a core-hour),"
            + " per organization and in total, without writing anything",
        curlPost(
            admin,
            base + "/api/plugins/billing/admin/what-if",
            "demo-what-if-cpu",
            "{\"period_start\":\""
                + month.atDay(1)
                + "\",\"period_end\":\""
                + month.plusMonths(1).atDay(1)
                + "\",\"rates\":{\"cpu_per_core_hour\":0.10}}"));
  }

  /**
   * acme's usage by member, as its owner and as its admin; a member reads its quota and their own
   * part of its usage only.
   */
  private static List<String> teamLines(String base, Map<String, String> tokens, Overage overage) {
    String teamUsage = base + "/api/plugins/billing/usage?org_id=" + DemoEvents.TEAM;
    String teamQuota = base + "/api/plugins/billing/quota?org_id=" + DemoEvents.TEAM;
    String bob = tokens.get("bob");
    String dan = tokens.get("dan");
    return List.of(
        "  # acme's usage by member, as bob, its owner (carol 0.35, dan 0.24, bob's session still"
            + " running: rated hour by hour)",
        curl(bob, teamUsage),
        "  # the same as carol, an admin of acme",
        curl(tokens.get("carol"), teamUsage),
        switch (overage) {
          case AWAITS ->
              "  # acme's quota as bob: AI queries 1,200 of Pro's 1,000 (soft),"
                  + " confirmation_required (new sessions wait); bob confirms the overage"
                  + " (200 × 0.001 = 0.20)";
          case CONFIRMED ->
              "  # acme's quota as bob: AI queries over Pro's 1,000 (soft),"
                  + " exceeded: bob confirmed the overage, billed on acme's invoice; confirming"
                  + " again answers his confirmation";
          case NONE ->
              "  # acme's quota as bob, and the line with which he confirms an AI" + " overage";
        },
        curl(bob, teamQuota),
        curl(bob, base + "/api/plugins/billing/overage/confirm")
            + " -X POST -d '{\"meter\":\"ai_queries\",\"org_id\":\""
            + DemoEvents.TEAM
            + "\"}'",
        "  # as dan, a member of acme: its quota, but not its usage (403 admin_required), only his"
            + " own part of it (0.24)",
        curl(dan, teamQuota),
        curl(dan, teamUsage),
        curl(dan, teamUsage + "&member_id=dan"));
  }

  private static String userToken(Host host, String userId) {
    return host.tokens().issue(userId, Set.of(Caller.ROLE_USER), null).token();
  }

  /**
   * An admin token for the curl lines when the generated one was shown on an earlier start (only
   * its hash is kept): a day long, so demo runs do not pile up admin tokens that never expire.
   */
  private static String demoAdminToken(Host host) {
    Instant expiry = host.clock().instant().plus(DEMO_ADMIN_TOKEN_LIFE);
    return host.tokens().issue("admin", Set.of(Caller.ROLE_ADMIN), expiry).token();
  }

  /** Runs every job of every started plugin once, calculate-usage first, and logs the outcome. */
  private static void runJobs(Host host) {
    for (ActivePlugin plugin : host.plugins().active()) {
      JobScheduler scheduler = plugin.context().scheduler();
      List<JobStatus> jobs = new ArrayList<>(scheduler.status());
      jobs.sort(Comparator.comparing((JobStatus j) -> !FIRST_JOB.equals(j.jobName())));
      for (JobStatus job : jobs) {
        try {
          JobRun run =
              scheduler
                  .runNow(job.jobName())
                  .toCompletableFuture()
                  .get(JOB_WAIT.toSeconds(), TimeUnit.SECONDS);
          log.info(
              "Demo ran {}/{}: {} ({} rows)",
              plugin.id(),
              job.jobName(),
              run.outcome(),
              run.rowsTouched());
        } catch (Exception e) {
          log.warn("Demo could not run {}/{}", plugin.id(), job.jobName(), e);
        }
      }
    }
  }

  static String curl(String token, String url) {
    return "  curl -s -H 'Authorization: Bearer " + token + "' '" + url + "'";
  }

  private static String curlPost(String token, String url, String idempotencyKey, String json) {
    return curl(token, url)
        + " -H 'Idempotency-Key: "
        + idempotencyKey
        + "' -X POST -d '"
        + json
        + "'";
  }
}
