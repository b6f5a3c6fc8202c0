package io.streamspace.host.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.common.http.Json;
import io.streamspace.host.HostOptions;
import io.streamspace.host.support.HostClient;
import io.streamspace.host.support.HostClient.Response;
import io.streamspace.host.support.HostTestBase;
import io.streamspace.host.support.RecordingPlugin;
import io.streamspace.plugin.api.PlatformPlugin;
import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.event.OrganizationEvent.Membership;
import io.streamspace.plugin.api.event.OrganizationEvent.Organization;
import io.streamspace.plugin.api.event.OrganizationEvent.Role;
import io.streamspace.plugin.api.event.OrganizationEvent.Type;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.event.UsageReport;
import io.streamspace.plugin.api.session.AdmissionCheck;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.AdmissionRequest;
import io.streamspace.plugin.api.session.MemberAdmissionRequest;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Organization events ({@code org.*}) and the {@code org_id} of session events, usage reports and
 * admission requests, through the host: validated, journaled under the organization, delivered to
 * the plugin's hook once, kept as dead letters and replayed.
 */
class OrganizationIntakeTest extends HostTestBase {

  private static final String AT = "2025-06-01T11:00:00Z";
  private static final Instant OCCURRED = Instant.parse(AT);

  private static final String CREATED =
      organizationEvent(
          "org-1",
          "org.created",
          "\"org\":{\"org_id\":\"acme\",\"name\":\"Acme\",\"owner_user_id\":\"u1\","
              + "\"currency\":\"USD\",\"plan\":\"pro\"}");
  private static final String MEMBER_ADDED =
      membershipEvent("org-2", "org.member_added", "\"user_id\":\"u2\",\"role\":\"admin\"");
  private static final String ROLE_CHANGED =
      membershipEvent("org-3", "org.member_role_changed", "\"user_id\":\"u2\",\"role\":\"member\"");
  private static final String MEMBER_REMOVED =
      membershipEvent("org-4", "org.member_removed", "\"user_id\":\"u2\"");
  private static final String DELETED =
      organizationEvent("org-5", "org.deleted", "\"org\":{\"org_id\":\"acme\"}");

  /**
   * Records what admission is asked, and allows it, but a member of organization {@code full},
   * which it refuses naming {@code pro} as its upgrade.
   */
  static final class AskedAdmission implements PlatformPlugin, AdmissionCheck {
    final List<AdmissionRequest> asked = new CopyOnWriteArrayList<>();
    final List<MemberAdmissionRequest> askedMembers = new CopyOnWriteArrayList<>();

    @Override
    public AdmissionDecision admit(AdmissionRequest request) {
      asked.add(request);
      return AdmissionDecision.allow();
    }

    @Override
    public AdmissionDecision admitMember(MemberAdmissionRequest request) {
      askedMembers.add(request);
      return request.orgId().equals("full")
          ? AdmissionDecision.deny("seat_limit", "full has 5 members", "pro")
          : AdmissionDecision.allow();
    }
  }

  private final AskedAdmission admission = new AskedAdmission();
  private String platform;

  @Override
  protected HostOptions.Builder nodeOptions(RecordingPlugin recording) {
    return super.nodeOptions(recording).plugin("admission", admission);
  }

  @BeforeAll
  void platformToken() {
    platform = token("platform-1", "platform");
  }

  @BeforeEach
  void forgetWhatAdmissionWasAsked() {
    admission.asked.clear();
    admission.askedMembers.clear();
  }

  private Response post(String body) {
    return http.post("/api/platform/events", platform, body);
  }

  private static String organizationEvent(String id, String type, String member) {
    return "{\"id\":\""
        + id
        + "\",\"type\":\""
        + type
        + "\",\"occurred_at\":\""
        + AT
        + "\","
        + member
        + "}";
  }

  private static String membershipEvent(String id, String type, String members) {
    return organizationEvent(id, type, "\"membership\":{\"org_id\":\"acme\"," + members + "}");
  }

  @Test
  void everyOrganizationEventIsDeliveredToTheOrganizationHookWithItsFields() {
    Response response =
        post(
            "["
                + String.join(",", CREATED, MEMBER_ADDED, ROLE_CHANGED, MEMBER_REMOVED, DELETED)
                + "]");

    assertEquals(202, response.status(), response.toString());
    assertEquals(5, response.body().get("accepted").asInt());
    assertEquals(
        List.of(
            new OrganizationEvent(
                "org-1",
                OCCURRED,
                Type.CREATED,
                "acme",
                new Organization("Acme", "u1", "USD", "pro"),
                null),
            new OrganizationEvent(
                "org-2",
                OCCURRED,
                Type.MEMBER_ADDED,
                "acme",
                null,
                new Membership("u2", Role.ADMIN)),
            new OrganizationEvent(
                "org-3",
                OCCURRED,
                Type.MEMBER_ROLE_CHANGED,
                "acme",
                null,
                new Membership("u2", Role.MEMBER)),
            new OrganizationEvent(
                "org-4", OCCURRED, Type.MEMBER_REMOVED, "acme", null, new Membership("u2", null)),
            new OrganizationEvent("org-5", OCCURRED, Type.DELETED, "acme", null, null)),
        plugin.events);
  }

  @Test
  void organizationEventsAreJournaledUnderTheOrganizationAsThePlatformWroteThem() throws Exception {
    String created = CREATED.replace("org-1", "jrn-1").replace("acme", "journaled");
    String added = MEMBER_ADDED.replace("org-2", "jrn-2").replace("acme", "journaled");
    assertEquals(202, post("[" + created + "," + added + "]").status());

    JsonNode journaled =
        http.get("/api/admin/journal?user_id=journaled", ADMIN_TOKEN).expect(200).get("events");

    assertEquals(2, journaled.size(), journaled.toString());
    assertEquals(HostClient.MAPPER.readTree(created), journaled.get(0).get("event"));
    assertEquals(HostClient.MAPPER.readTree(added), journaled.get(1).get("event"));
  }

  @Test
  void anOrganizationEventSentAgain_isADuplicate_deliveredOnce_evenWithItsMembersReordered() {
    String event = MEMBER_ADDED.replace("org-2", "dup-org");
    assertEquals(1, post(event).body().get("accepted").asInt());
    String reordered =
        event.replace(
            "{\"org_id\":\"acme\",\"user_id\":\"u2\",\"role\":\"admin\"}",
            "{\"role\":\"admin\",\"user_id\":\"u2\",\"org_id\":\"acme\"}");
    assertFalse(reordered.equals(event), "the test reorders the membership's members");

    Response again = post("[" + event + "," + reordered + "]");

    assertEquals(202, again.status());
    assertEquals(0, again.body().get("accepted").asInt());
    assertEquals(2, again.body().get("duplicates").asInt());
    assertEquals(1, plugin.events.size());
  }

  /** An invalid event at index 1, and the field its refusal names. */
  static Stream<Arguments> badOrganizationEvents() {
    return Stream.of(
        Arguments.of(
            "unknown role",
            MEMBER_ADDED.replace("\"admin\"", "\"boss\""),
            "membership.role",
            "must be one of owner, admin, member"),
        Arguments.of(
            "role missing on member_added",
            MEMBER_ADDED.replace(",\"role\":\"admin\"", ""),
            "membership.role",
            "is required: one of owner, admin, member"),
        Arguments.of(
            "role on member_removed",
            MEMBER_REMOVED.replace("\"user_id\":\"u2\"", "\"user_id\":\"u2\",\"role\":\"member\""),
            "membership.role",
            "must not be given: a removed member has no role"),
        Arguments.of(
            "owner_user_id missing",
            CREATED.replace("\"owner_user_id\":\"u1\",", ""),
            "org.owner_user_id",
            "is required"),
        Arguments.of(
            "org_id missing on org.created",
            CREATED.replace("\"org_id\":\"acme\",", ""),
            "org.org_id",
            "is required"),
        Arguments.of(
            "org_id missing on a membership event",
            ROLE_CHANGED.replace("\"org_id\":\"acme\",", ""),
            "membership.org_id",
            "is required"),
        Arguments.of(
            "user_id missing on a membership event",
            MEMBER_REMOVED.replace(",\"user_id\":\"u2\"", ""),
            "membership.user_id",
            "is required"),
        Arguments.of(
            "lower case currency",
            CREATED.replace("\"USD\"", "\"usd\""),
            "org.currency",
            "must be an ISO 4217 code of 3 upper case letters, such as USD"),
        Arguments.of(
            "currency of 4 letters",
            CREATED.replace("\"USD\"", "\"USDT\""),
            "org.currency",
            "must be an ISO 4217 code of 3 upper case letters, such as USD"),
        Arguments.of(
            "blank plan",
            CREATED.replace("\"pro\"", "\" \""),
            "org.plan",
            "must be a non-blank string"),
        Arguments.of(
            "membership object missing",
            organizationEvent("e", "org.member_added", "\"org\":{\"org_id\":\"acme\"}"),
            "membership",
            "must be an object"),
        Arguments.of(
            "org object missing on org.deleted",
            organizationEvent("e", "org.deleted", "\"org_id\":\"acme\""),
            "org",
            "must be an object"),
        Arguments.of(
            "blank session org_id",
            "{\"id\":\"e\",\"type\":\"session.heartbeat\",\"occurred_at\":\""
                + AT
                + "\",\"session\":{\"session_id\":\"s\",\"user_id\":\"u\",\"org_id\":\" \"}}",
            "session.org_id",
            "must be a non-blank string"),
        Arguments.of(
            "usage org_id not a string",
            "{\"id\":\"e\",\"type\":\"usage.reported\",\"occurred_at\":\""
                + AT
                + "\",\"usage\":{\"user_id\":\"u\",\"meter\":\"ai_queries\",\"quantity\":1,"
                + "\"org_id\":7}}",
            "usage.org_id",
            "must be a non-blank string"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badOrganizationEvents")
  void refusesTheWholeBatchNamingTheField(
      String why, String badEvent, String field, String message) {
    Response response = post("[" + CREATED.replace("org-1", "fine-1") + "," + badEvent + "]");

    assertEquals(400, response.status(), why);
    assertEquals("invalid_events", response.body().at("/error/code").asText());
    JsonNode detail = response.body().at("/error/details/0");
    assertEquals(1, detail.get("index").asInt(), detail.toString());
    assertEquals(field, detail.get("field").asText(), detail.toString());
    assertEquals(message, detail.get("message").asText());
    assertEquals(1, response.body().at("/error/details").size(), response.toString());
    assertTrue(plugin.events.isEmpty(), "nothing may be dispatched");
  }

  @Test
  void theOrganizationOfASessionEventAndOfAUsageReportReachesThePlugin() {
    String session =
        "{\"id\":\"s-org-1\",\"type\":\"session.created\",\"occurred_at\":\""
            + AT
            + "\",\"session\":{\"session_id\":\"s1\",\"user_id\":\"u2\",\"org_id\":\"acme\","
            + "\"cpu_cores\":1,\"memory_gb\":2,\"storage_gb\":3}}";
    String usage =
        "{\"id\":\"u-org-1\",\"type\":\"usage.reported\",\"occurred_at\":\""
            + AT
            + "\",\"usage\":{\"user_id\":\"u2\",\"org_id\":\"acme\",\"meter\":\"ai_queries\","
            + "\"quantity\":4}}";

    assertEquals(202, post("[" + session + "," + usage + "]").status());

    assertEquals(
        List.of(
            new SessionEvent(
                "s-org-1",
                OCCURRED,
                "s1",
                "u2",
                new ResourceSize(BigDecimal.ONE, new BigDecimal("2"), new BigDecimal("3")),
                "acme"),
            new UsageReport(
                "u-org-1", OCCURRED, "u2", "ai_queries", new BigDecimal("4"), null, "acme")),
        plugin.events);
  }

  @Test
  void eventsKeptInTheWireFormatReadBackAsTheSameEvents_withTheirOrganization() {
    EventParser parser =
        new EventParser(Json.newMapper(), Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofDays(35));
    Instant longAgo = Instant.parse("2020-01-01T00:00:00Z");
    List<OrganizationEvent> organizationEvents =
        List.of(
            new OrganizationEvent(
                "k-1",
                longAgo,
                Type.CREATED,
                "acme",
                new Organization(null, "u1", null, null),
                null),
            new OrganizationEvent(
                "k-2",
                longAgo,
                Type.CREATED,
                "acme",
                new Organization("Acme\tInc", "u1", "VND", "pro"),
                null),
            new OrganizationEvent(
                "k-3", longAgo, Type.MEMBER_ADDED, "acme", null, new Membership("u2", Role.OWNER)),
            new OrganizationEvent(
                "k-4",
                longAgo,
                Type.MEMBER_ROLE_CHANGED,
                "acme",
                null,
                new Membership("u2", Role.ADMIN)),
            new OrganizationEvent(
                "k-5", longAgo, Type.MEMBER_REMOVED, "acme", null, new Membership("u2", null)),
            new OrganizationEvent("k-6", longAgo, Type.DELETED, "acme", null, null));
    SessionEvent session = new SessionEvent("k-7", longAgo, "s1", "u1", null, "acme");
    UsageReport report =
        new UsageReport("k-8", longAgo, "u1", "ai_queries", BigDecimal.ONE, "s1", "acme");

    for (OrganizationEvent event : organizationEvents) {
      assertEquals(
          new PlatformEvent.OrganizationChanged(event),
          parser.parseKept(EventWire.organization(event)));
    }
    assertEquals(
        new PlatformEvent.SessionChanged(EventType.SESSION_HEARTBEAT, session),
        parser.parseKept(EventWire.session(EventType.SESSION_HEARTBEAT, session)));
    assertEquals(
        new PlatformEvent.UsageReported(report), parser.parseKept(EventWire.usageReported(report)));
  }

  @Test
  void anEventWithoutOrganizationKeepsItsWireForm_soARedeliveryOfAnOlderEventIsNoConflict() {
    Instant at = Instant.parse("2020-01-01T00:00:00Z");

    assertEquals(
        "{\"session_id\":\"s1\",\"user_id\":\"u1\"}",
        EventWire.session(EventType.SESSION_TERMINATED, new SessionEvent("k", at, "s1", "u1", null))
            .get("session")
            .toString());
    assertEquals(
        "{\"user_id\":\"u1\",\"meter\":\"ai_queries\",\"quantity\":1}",
        EventWire.usageReported(new UsageReport("k", at, "u1", "ai_queries", BigDecimal.ONE, null))
            .get("usage")
            .toString());
  }

  @Test
  void anOrganizationEventThePluginSetAside_isADeadLetter_andAReplayDeliversIt() throws Exception {
    String event = MEMBER_ADDED.replace("org-2", "dead-org-1").replace("acme", "deadco");
    plugin.organizationEventsRefused = "the test's database refuses it";
    try {
      assertEquals(202, post(event).status());
    } finally {
      plugin.organizationEventsRefused = null;
    }
    assertTrue(plugin.events.isEmpty(), "set aside, not stored");
    JsonNode letter = deadLetterOf("dead-org-1");
    assertEquals("org.member_added", letter.get("event_type").asText());
    assertEquals(HostClient.MAPPER.readTree(event), letter.get("event"));
    assertEquals("the test's database refuses it", letter.get("reason").asText());

    JsonNode replayed =
        http.post(
                "/api/admin/dead-letters/" + letter.get("id").asText() + "/replay",
                ADMIN_TOKEN,
                null)
            .expect(200);

    assertEquals("replayed", replayed.get("replay_status").asText());
    assertEquals(
        List.of(
            new OrganizationEvent(
                "dead-org-1",
                OCCURRED,
                Type.MEMBER_ADDED,
                "deadco",
                null,
                new Membership("u2", Role.ADMIN))),
        plugin.events);
  }

  private JsonNode deadLetterOf(String eventId) {
    JsonNode letters = http.get("/api/admin/dead-letters", ADMIN_TOKEN).expect(200);
    for (JsonNode letter : letters.get("dead_letters")) {
      if (letter.get("event_id").asText().equals(eventId)) {
        return letter;
      }
    }
    throw new AssertionError("no dead letter of " + eventId + ": " + letters);
  }

  @Test
  void admissionPassesTheOrganizationToThePlugins() {
    Response answer =
        http.post(
            "/api/platform/admission",
            platform,
            "{\"user_id\":\"u2\",\"org_id\":\"acme\",\"cpu_cores\":1,\"memory_gb\":2,"
                + "\"storage_gb\":3}");
    Response personal =
        http.post(
            "/api/platform/admission",
            platform,
            "{\"user_id\":\"u3\",\"cpu_cores\":1,\"memory_gb\":2,\"storage_gb\":3}");
    Response blank =
        http.post(
            "/api/platform/admission",
            platform,
            "{\"user_id\":\"u2\",\"org_id\":\"\",\"cpu_cores\":1,\"memory_gb\":2,"
                + "\"storage_gb\":3}");

    assertEquals(200, answer.status(), answer.toString());
    assertEquals(200, personal.status(), personal.toString());
    assertEquals(List.of("acme", "none"), askedOrganizations());
    assertEquals(400, blank.status());
    assertEquals("org_id", blank.body().at("/error/field").asText());
  }

  @Test
  void addMemberAsksThePluginsWithTheOrganizationUserAndRole_andAnswersTheirDenialWithItsUpgrade() {
    Response allowed =
        http.post(
            "/api/platform/admission",
            platform,
            "{\"org_id\":\"acme\",\"action\":\"add_member\",\"user_id\":\"u9\","
                + "\"role\":\"admin\"}");
    Response denied =
        http.post(
            "/api/platform/admission", platform, "{\"org_id\":\"full\",\"action\":\"add_member\"}");

    assertEquals(200, allowed.status(), allowed.toString());
    assertEquals("{\"allowed\":true}", allowed.body().toString());
    assertEquals(200, denied.status(), denied.toString());
    assertEquals(
        "{\"allowed\":false,\"code\":\"seat_limit\",\"reason\":\"full has 5 members\","
            + "\"upgrade\":\"pro\",\"plugin\":\"admission\"}",
        denied.body().toString());
    assertEquals(
        List.of(
            new MemberAdmissionRequest("acme", "u9", Role.ADMIN),
            new MemberAdmissionRequest("full", null, null)),
        admission.askedMembers);
    assertEquals(List.of(), admission.asked, "no session was asked about");
  }

  @Test
  void anAddMemberWithoutOrgId_anUnknownActionOrRoleIsA400NamingTheField() {
    String[][] cases = {
      {"{\"action\":\"add_member\",\"user_id\":\"u9\"}", "org_id"},
      {"{\"action\":\"remove_member\",\"org_id\":\"acme\"}", "action"},
      {"{\"action\":7,\"org_id\":\"acme\"}", "action"},
      {"{\"action\":\"add_member\",\"org_id\":\"acme\",\"role\":\"boss\"}", "role"},
    };
    for (String[] bad : cases) {
      Response answer = http.post("/api/platform/admission", platform, bad[0]);

      assertEquals(400, answer.status(), bad[0]);
      assertEquals("invalid_request", answer.body().at("/error/code").asText(), bad[0]);
      assertEquals(bad[1], answer.body().at("/error/field").asText(), answer.toString());
    }
    assertEquals(List.of(), admission.askedMembers, "no plugin is asked on a bad request");
  }

  @Test
  void aSessionAdmissionNamingStartSessionIsTheSessionAdmissionAsBefore() {
    Response answer =
        http.post(
            "/api/platform/admission",
            platform,
            "{\"action\":\"start_session\",\"user_id\":\"u4\",\"org_id\":\"acme\","
                + "\"cpu_cores\":1,\"memory_gb\":2,\"storage_gb\":3}");

    assertEquals(200, answer.status(), answer.toString());
    assertEquals(List.of("acme"), askedOrganizations());
  }

  private List<String> askedOrganizations() {
    return admission.asked.stream()
        .map(request -> request.orgId() == null ? "none" : request.orgId())
        .toList();
  }
}
