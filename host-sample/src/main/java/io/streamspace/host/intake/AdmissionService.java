package io.streamspace.host.intake;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.ApiException.Detail;
import io.streamspace.host.plugins.ActivePlugin;
import io.streamspace.host.plugins.PluginRegistry;
import io.streamspace.plugin.api.event.OrganizationEvent.Role;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.session.AdmissionCheck;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.AdmissionRequest;
import io.streamspace.plugin.api.session.MemberAdmissionRequest;
import io.streamspace.plugin.api.session.TopUp;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Asks every enabled plugin that offers an {@link AdmissionCheck} whether a session may start
 * ({@code action} absent or {@value #START_SESSION}), or whether a member may be added to an
 * organization ({@value #ADD_MEMBER}).
 */
public final class AdmissionService {

  static final String START_SESSION = "start_session";
  static final String ADD_MEMBER = "add_member";

  /**
   * The answer: allowed, or the first plugin's denial with the plan ({@code upgrade}) and the
   * capacity pack ({@code pack}) that would allow it when the plugin names them, for a session as
   * for a member, and the prepaid top-ups that would ({@code top_up}) when it suggests some (null
   * fields are left out).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Answer(
      boolean allowed,
      String code,
      String reason,
      String upgrade,
      String pack,
      @JsonProperty("top_up") List<Suggestion> topUp,
      String plugin) {}

  /** A top-up as the answer carries it: {@code {"amount","currency","minutes"}}. */
  public record Suggestion(BigDecimal amount, String currency, int minutes) {

    static List<Suggestion> of(List<TopUp> topUp) {
      return topUp.isEmpty()
          ? null
          : topUp.stream().map(t -> new Suggestion(t.amount(), t.currency(), t.minutes())).toList();
    }
  }

  private final PluginRegistry plugins;

  public AdmissionService(PluginRegistry plugins) {
    this.plugins = plugins;
  }

  /**
   * @param body a session: {@code {"action"?: "start_session", "user_id", "session_id"?,
   *     "org_id"?, "cpu_cores", "memory_gb", "storage_gb", "resources"?}}, without {@code
   *     org_id} under the user's personal organization; or a member: {@code {"action":
   *     "add_member", "org_id", "user_id"?, "role"?}}
   * @throws ApiException 400 {@code invalid_request} naming the bad fields
   */
  public Answer decide(JsonNode body) {
    if (body == null || !body.isObject()) {
      throw ApiException.badRequest("invalid_json", "body must be a JSON object", null);
    }
    List<Detail> problems = new ArrayList<>();
    FieldReader reader = new FieldReader(null, problems);
    String action = reader.optionalId(body, "", "action");
    if (action == null || action.equals(START_SESSION)) {
      AdmissionRequest session = session(body, reader, problems);
      return ask(check -> check.admit(session));
    }
    if (action.equals(ADD_MEMBER)) {
      MemberAdmissionRequest member = member(body, reader, problems);
      return ask(check -> check.admitMember(member));
    }
    reader.problem("action", "must be \"" + START_SESSION + "\" or \"" + ADD_MEMBER + "\"");
    throw refused(problems);
  }

  /** Allowed unless a plugin denies: the first denial, in the plugins' order, is the answer. */
  private Answer ask(Function<AdmissionCheck, AdmissionDecision> question) {
    for (ActivePlugin plugin : plugins.active()) {
      if (plugin.extension() instanceof AdmissionCheck check) {
        AdmissionDecision decision = question.apply(check);
        if (!decision.allowed()) {
          return new Answer(
              false,
              decision.code(),
              decision.reason(),
              decision.upgrade(),
              decision.pack(),
              Suggestion.of(decision.topUp()),
              plugin.id());
        }
      }
    }
    return new Answer(true, null, null, null, null, null, null);
  }

  private static AdmissionRequest session(
      JsonNode body, FieldReader reader, List<Detail> problems) {
    String userId = reader.requiredId(body, "", "user_id");
    String sessionId =
        body.hasNonNull("session_id") ? reader.requiredId(body, "", "session_id") : null;
    String orgId = reader.optionalId(body, "", "org_id");
    ResourceSize sizes = reader.sizes(body, "", true);
    if (!problems.isEmpty()) {
      throw refused(problems);
    }
    return new AdmissionRequest(userId, sessionId, sizes, orgId);
  }

  /** A member to add: the organization is required, the user and the role may be unsaid. */
  private static MemberAdmissionRequest member(
      JsonNode body, FieldReader reader, List<Detail> problems) {
    String orgId = reader.requiredId(body, "", "org_id");
    String userId = reader.optionalId(body, "", "user_id");
    String roleName = reader.optionalId(body, "", "role");
    Role role = roleName == null ? null : Role.fromWire(roleName).orElse(null);
    if (roleName != null && role == null) {
      reader.problem("role", "must be \"owner\", \"admin\" or \"member\"");
    }
    if (!problems.isEmpty()) {
      throw refused(problems);
    }
    return new MemberAdmissionRequest(orgId, userId, role);
  }

  private static ApiException refused(List<Detail> problems) {
    Detail first = problems.get(0);
    return ApiException.invalid("invalid_request", first.field() + " " + first.message(), problems);
  }
}
