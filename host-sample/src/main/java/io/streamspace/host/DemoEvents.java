package io.streamspace.host;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/**
 * The batch {@code --demo} posts, as a platform would, anchored at the instant of its first run:
 * two single users in their personal organizations on the default plan (Hobby: 2 GB of storage,
 * 100 AI queries included), alice within her limits and erin, who pays in VND, near her storage
 * limit; and the team organization {@value #TEAM} on Pro, owned by bob, with carol as its admin
 * and dan as a member, whose AI queries went past the plan's soft allowance, an overage awaiting
 * bob's confirmation; and {@value #LEAD}, also on Pro, owned by gina, running all 8 of the plan's
 * cores: at a hard limit, so check-quotas makes it a sales lead. Sizes and hours are small and
 * round so the costs can be checked by hand at the default rates (docs/getting-started.md, "The
 * demo's story").
 */
final class DemoEvents {

  /** The team organization's id. */
  static final String TEAM = "acme";

  /** The id of the organization that becomes a sales lead. */
  static final String LEAD = "globex";

  private final ObjectMapper mapper = new ObjectMapper();
  private final ArrayNode events = mapper.createArrayNode();
  private final Instant now;

  private DemoEvents(Instant now) {
    this.now = now;
  }

  /** The whole batch, as the JSON body of {@code POST /api/platform/events}. */
  static byte[] batch(Instant now) {
    DemoEvents demo = new DemoEvents(now);
    demo.alice();
    demo.erin();
    demo.bob();
    demo.acme();
    demo.globex();
    return demo.events.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** alice: 2 cores / 4 GB (1 GB stored, half her 2 GB) for 10 hours, ended an hour ago. */
  private void alice() {
    user("demo-alice-user", hoursAgo(12), "alice");
    session("demo-alice-1", "session.created", hoursAgo(11), "alice", null).sized("2", "4", "1");
    session("demo-alice-2", "session.heartbeat", hoursAgo(6), "alice", null);
    session("demo-alice-3", "session.terminated", hoursAgo(1), "alice", null);
  }

  /**
   * erin, opened in VND (priced at the default VND rates: no config needed): 1 core / 2 GB for 2
   * hours, ended 2 hours ago, leaving 1.7 GB stored, 85 % of her 2 GB: a warning (at 80 %), not
   * exceeded.
   */
  private void erin() {
    user("demo-erin-user", hoursAgo(12), "erin").put("currency", "VND");
    session("demo-erin-1", "session.created", hoursAgo(4), "erin", null).sized("1", "2", "1.7");
    session("demo-erin-2", "session.terminated", hoursAgo(2), "erin", null);
  }

  /** bob: 4 cores / 8 GB (20 GB stored) under acme, running for 3 hours. */
  private void bob() {
    user("demo-bob-user", hoursAgo(5), "bob");
    session("demo-bob-1", "session.created", hoursAgo(3), "bob", TEAM).sized("4", "8", "20");
    session("demo-bob-2", "session.heartbeat", now.minus(Duration.ofMinutes(1)), "bob", TEAM);
  }

  /**
   * acme, created by bob before any of its sessions, with carol (admin) and dan (member), each of
   * whom ran a session under it that ended before bob's started, storing nothing (so acme's
   * storage is bob's 20 GB from his start on).
   */
  private void acme() {
    event("demo-acme-created", "org.created", hoursAgo(12))
        .putObject("org")
        .put("org_id", TEAM)
        .put("name", "Acme")
        .put("owner_user_id", "bob")
        .put("currency", "USD")
        .put("plan", "pro");
    membership("demo-acme-carol", "carol", "admin");
    membership("demo-acme-dan", "dan", "member");
    user("demo-carol-user", hoursAgo(12), "carol");
    user("demo-dan-user", hoursAgo(12), "dan");
    // carol: 1 core / 2 GB for 5 hours (0.25 + 0.10); dan: 1 core / 1 GB for 4 hours (0.20 + 0.04)
    session("demo-carol-1", "session.created", hoursAgo(10), "carol", TEAM).sized("1", "2", "0");
    session("demo-carol-2", "session.terminated", hoursAgo(5), "carol", TEAM);
    session("demo-dan-1", "session.created", hoursAgo(8), "dan", TEAM).sized("1", "1", "0");
    session("demo-dan-2", "session.terminated", hoursAgo(4), "dan", TEAM);
    // their AI queries in those sessions: 700 + 500 = 1,200 of Pro's 1,000 included (soft)
    aiQueries("demo-acme-ai-carol", hoursAgo(7), "carol", 700);
    aiQueries("demo-acme-ai-dan", hoursAgo(5), "dan", 500);
  }

  /**
   * globex, on Pro, whose owner gina runs 8 cores and 8 GB for the 2 hours before the anchor,
   * still running: all the cores Pro allows (a hard limit), which check-quotas records and judges
   * a sales lead (hit_hard_limit), one that would need Enterprise to grow.
   */
  private void globex() {
    event("demo-globex-created", "org.created", hoursAgo(5))
        .putObject("org")
        .put("org_id", LEAD)
        .put("name", "Globex")
        .put("owner_user_id", "gina")
        .put("currency", "USD")
        .put("plan", "pro");
    user("demo-gina-user", hoursAgo(5), "gina");
    session("demo-gina-1", "session.created", hoursAgo(2), "gina", LEAD).sized("8", "8", "0");
    session("demo-gina-2", "session.heartbeat", now.minus(Duration.ofMinutes(1)), "gina", LEAD);
  }

  private Instant hoursAgo(int hours) {
    return now.minus(Duration.ofHours(hours));
  }

  /** A user.created; answers its {@code user} member, to which attributes may be added. */
  private ObjectNode user(String id, Instant at, String userId) {
    return event(id, "user.created", at)
        .putObject("user")
        .put("user_id", userId)
        .put("email", userId + "@example.com")
        .put("name", userId);
  }

  /** AI queries a member of the team ran in their session, reported to the team. */
  private void aiQueries(String id, Instant at, String userId, int queries) {
    event(id, "usage.reported", at)
        .putObject("usage")
        .put("user_id", userId)
        .put("org_id", TEAM)
        .put("meter", "ai_queries")
        .put("quantity", queries)
        .put("session_id", "demo-" + userId);
  }

  private void membership(String id, String userId, String role) {
    event(id, "org.member_added", hoursAgo(12))
        .putObject("membership")
        .put("org_id", TEAM)
        .put("user_id", userId)
        .put("role", role);
  }

  /** A session event; {@code orgId} null for the user's personal organization. */
  private Session session(String id, String type, Instant at, String userId, String orgId) {
    ObjectNode session =
        event(id, type, at)
            .putObject("session")
            .put("session_id", "demo-" + userId)
            .put("user_id", userId);
    if (orgId != null) {
      session.put("org_id", orgId);
    }
    return new Session(session);
  }

  /** A session event's {@code session} member, to which sizes may be added. */
  private record Session(ObjectNode node) {
    void sized(String cpuCores, String memoryGb, String storageGb) {
      node.put("cpu_cores", new BigDecimal(cpuCores))
          .put("memory_gb", new BigDecimal(memoryGb))
          .put("storage_gb", new BigDecimal(storageGb));
    }
  }

  private ObjectNode event(String id, String type, Instant at) {
    return events.addObject().put("id", id).put("type", type).put("occurred_at", at.toString());
  }
}
