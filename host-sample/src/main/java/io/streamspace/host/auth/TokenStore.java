package io.streamspace.host.auth;

import io.streamspace.host.db.Sql;
import io.streamspace.plugin.api.http.Caller;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * Bearer tokens. Only a token's SHA-256 is stored ({@code host_tokens}); known tokens are cached
 * in memory so authenticating a request costs no query after the first.
 */
public final class TokenStore {

  /** The roles the host knows. */
  public static final Set<String> ROLES =
      Set.of(Caller.ROLE_USER, Caller.ROLE_PLATFORM, Caller.ROLE_ADMIN);

  private static final SecureRandom RANDOM = new SecureRandom();

  private final DataSource dataSource;
  private final Clock clock;
  private final Map<String, Caller> callersByHash = new ConcurrentHashMap<>();

  public TokenStore(DataSource dataSource, Clock clock) {
    this.dataSource = dataSource;
    this.clock = clock;
  }

  /** Creates and stores a new random token for a user; the token is returned, never kept. */
  public String issue(String userId, Set<String> roles) {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    register(token, userId, roles);
    return token;
  }

  /** Stores a token chosen elsewhere (the admin token from the environment); idempotent. */
  public void register(String token, String userId, Set<String> roles) {
    String hash = hash(token);
    String sql =
        "INSERT INTO host_tokens (token_hash, user_id, roles, created_at) VALUES (?, ?, ?, ?)"
            + " ON CONFLICT (token_hash) DO UPDATE SET user_id = EXCLUDED.user_id,"
            + " roles = EXCLUDED.roles";
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, hash);
      statement.setString(2, userId);
      statement.setArray(3, connection.createArrayOf("text", roles.toArray()));
      statement.setTimestamp(4, Timestamp.from(clock.instant()));
      statement.executeUpdate();
    } catch (SQLException e) {
      throw Sql.failure("storing a token", e);
    }
    callersByHash.put(hash, new Caller(userId, roles));
  }

  /** Who a token belongs to, or empty when the host does not know it. */
  public Optional<Caller> lookup(String token) {
    String hash = hash(token);
    Caller cached = callersByHash.get(hash);
    if (cached != null) {
      return Optional.of(cached);
    }
    Optional<Caller> stored = load(hash);
    stored.ifPresent(caller -> callersByHash.put(hash, caller));
    return stored;
  }

  private Optional<Caller> load(String hash) {
    String sql = "SELECT user_id, roles FROM host_tokens WHERE token_hash = ?";
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, hash);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        String[] roles = (String[]) rows.getArray(2).getArray();
        return Optional.of(new Caller(rows.getString(1), Set.copyOf(Arrays.asList(roles))));
      }
    } catch (SQLException e) {
      throw Sql.failure("looking up a token", e);
    }
  }

  static String hash(String token) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
