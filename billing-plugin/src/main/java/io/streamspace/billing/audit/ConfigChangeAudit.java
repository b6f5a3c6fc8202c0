package io.streamspace.billing.audit;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.json.JsonMapper;
import io.streamspace.plugin.api.config.ConfigProblem;
import io.streamspace.plugin.api.config.ConfigSaving;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The audit of a change of the billing configuration (prices, plans, the billing mode, any key),
 * written in the host's transaction that saves it ({@link ConfigSaving}), so that the config never
 * changes without its entry. A change needs the admin's reason, as every admin action does; a
 * save that changes no key writes nothing and needs none.
 *
 * <p>The entry ({@value AuditKinds#CONFIG_CHANGED}, platform-wide: no organization) holds each
 * changed key with its value in effect before and after, defaults merged in, so that "0.05 to
 * 0.10" reads so even when 0.05 was the default and never saved. A secret key is named, never
 * valued. A change saved before the plugin's first start, when it has no tables yet, is
 * refused without a reason like any other but leaves no entry: there is no trail to write to.
 */
public final class ConfigChangeAudit {

  /** The entry's subject: the one billing configuration. */
  static final String SUBJECT = "config";

  private static final String TRAIL_EXISTS =
      "SELECT to_regclass('billing_audit_entries') IS NOT NULL";

  static final String SECRET_CHANGED = "(secret: given a new value, not recorded)";

  private ConfigChangeAudit() {}

  /**
   * Writes the change's entry on its transaction, or objects when the admin gave no reason.
   *
   * @param effective the configuration in effect for a saved one (JSON object text each)
   * @return the objection, naming {@code reason}; empty when the entry is written (or nothing
   *     changed)
   */
  public static List<ConfigProblem> record(ConfigSaving saving, UnaryOperator<String> effective)
      throws SQLException {
    if (saving.changedKeys().isEmpty()) {
      return List.of();
    }
    String reason = saving.reason().map(String::strip).orElse("");
    if (Cause.saysNothing(reason)) {
      return List.of(
          new ConfigProblem(
              "reason",
              "is required: say why the configuration changes (the X-Audit-Log-Reason header);"
                  + " the audit trail keeps it with the change"));
    }
    if (reason.length() > Cause.MAX_REASON_LENGTH) {
      return List.of(
          new ConfigProblem(
              "reason", "must be at most " + Cause.MAX_REASON_LENGTH + " characters"));
    }
    if (!trailExists(saving.connection())) {
      return List.of();
    }
    JsonNode before = tree(effective.apply(saving.beforeJson()));
    JsonNode after = tree(effective.apply(saving.afterJson()));
    Map<String, Object> was = new LinkedHashMap<>();
    Map<String, Object> is = new LinkedHashMap<>();
    for (String key : saving.changedKeys()) {
      if (saving.secretsChanged().contains(key)) {
        is.put(key, SECRET_CHANGED);
      } else {
        was.put(key, valueAt(before, key));
        is.put(key, valueAt(after, key));
      }
    }
    AuditTrail.record(
        saving.connection(),
        new AuditEntry(
            saving.at(),
            new Cause(Actor.admin(saving.changedBy()), reason, saving.requestId().orElse(null)),
            null,
            AuditKinds.CONFIG_CHANGED,
            SUBJECT,
            was,
            is));
    return List.of();
  }

  /**
   * Whether the plugin has made its tables on this database: a plugin installed and configured
   * before its first start has none yet (nor any usage or invoice a config could price).
   */
  private static boolean trailExists(Connection connection) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(TRAIL_EXISTS);
        ResultSet rows = statement.executeQuery()) {
      return rows.next() && rows.getBoolean(1);
    }
  }

  private static JsonNode tree(String effectiveJson) {
    try {
      return JsonMapper.MAPPER.readTree(effectiveJson);
    } catch (JsonProcessingException e) { // the plugin's own writer made it: a bug
      throw new IllegalStateException("the effective config is not JSON", e);
    }
  }

  /** The value at a dotted key, null when the configuration has none there. */
  private static JsonNode valueAt(JsonNode config, String dottedKey) {
    JsonNode value = config.at(JsonPointer.compile("/" + dottedKey.replace('.', '/')));
    return value.isMissingNode() ? null : value;
  }
}
