package io.streamspace.host.plugins;

import io.streamspace.common.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The secrets every plugin has stored (docs/reference/configuration.md, "Secrets"), read before
 * any plugin starts.
 */
public final class StoredSecrets {

  // A stored value reads v1:<key id>:<base64>.
  private static final String SEALED_WITH =
      """
      SELECT plugin_id || '/' || secret.key, split_part(secret.value, ':', 2)
      FROM host_plugins, jsonb_each_text(secrets) AS secret
      ORDER BY 1""";

  private StoredSecrets() {}

  /**
   * The id of the secrets key each stored secret was encrypted with, by place ({@code
   * billing/stripeWebhookSecret}); empty when none is stored.
   */
  public static Map<String, String> sealedWith(DataSource dataSource) {
    Map<String, String> sealedWith = new LinkedHashMap<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = Sql.prepare(connection, SEALED_WITH);
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        sealedWith.put(rows.getString(1), rows.getString(2));
      }
    } catch (SQLException e) {
      throw Sql.failure("reading which secrets key the stored secrets need", e);
    }
    return sealedWith;
  }
}
