package io.streamspace.host.intake;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.ApiException.Detail;
import io.streamspace.host.plugins.ActivePlugin;
import io.streamspace.host.plugins.PluginRegistry;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.session.AdmissionCheck;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.AdmissionRequest;
import java.util.ArrayList;
import java.util.List;

/** Asks every enabled plugin that offers an {@link AdmissionCheck} whether a session may start. */
public final class AdmissionService {

  /** The answer: allowed, or the first plugin's denial (null fields are left out). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Answer(boolean allowed, String code, String reason, String plugin) {}

  private final PluginRegistry plugins;

  public AdmissionService(PluginRegistry plugins) {
    this.plugins = plugins;
  }

  /**
   * @param body {@code {"user_id","session_id"?,"org_id"?,"cpu_cores","memory_gb","storage_gb"}};
   *     without {@code org_id}, the session would run under the user's personal organization
   * @throws ApiException 400 {@code invalid_request} naming the bad fields
   */
  public Answer decide(JsonNode body) {
    AdmissionRequest request = parse(body);
    for (ActivePlugin plugin : plugins.active()) {
      if (plugin.extension() instanceof AdmissionCheck check) {
        AdmissionDecision decision = check.admit(request);
        if (!decision.allowed()) {
          return new Answer(false, decision.code(), decision.reason(), plugin.id());
        }
      }
    }
    return new Answer(true, null, null, null);
  }

  private static AdmissionRequest parse(JsonNode body) {
    if (body == null || !body.isObject()) {
      throw ApiException.badRequest("invalid_json", "body must be a JSON object", null);
    }
    List<Detail> problems = new ArrayList<>();
    FieldReader reader = new FieldReader(null, problems);
    String userId = reader.requiredId(body, "", "user_id");
    String sessionId =
        body.hasNonNull("session_id") ? reader.requiredId(body, "", "session_id") : null;
    String orgId = reader.optionalId(body, "", "org_id");
    ResourceSize sizes = reader.sizes(body, "", true);
    if (!problems.isEmpty()) {
      Detail first = problems.get(0);
      throw ApiException.invalid(
          "invalid_request", first.field() + " " + first.message(), problems);
    }
    return new AdmissionRequest(userId, sessionId, sizes, orgId);
  }
}
