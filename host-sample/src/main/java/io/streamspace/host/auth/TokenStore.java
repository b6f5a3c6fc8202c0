package io.streamspace.host.auth;

import com.fasterxml.jackson.annotation.JsonValue;
import io.streamspace.common.db.Sql;
import io.streamspace.common.db.Transactions;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * Bearer tokens ({@code host_tokens}). Only a token's SHA-256 is stored, with its owner, roles,
 * source, creation, optional expiry, last use and revocation.
 *
 * <p>Valid tokens are cached in memory, so authenticating a request costs no query. A cached
 * token is trusted for {@link #RECHECK_AFTER} at most, then its row is read again. So a token
 * revoked on this node stops working at once, one revoked on another node sharing the database
 * within 30 seconds, an expired one at its expiry. The same statement records the use when the
 * stored last use is {@link #LAST_USE_PRECISION} old: one write a minute per token at most, on all
 * nodes together, not one per request. Unknown tokens are never cached.
 */
public final class TokenStore {

  /** The roles the host knows. */
  public static final Set<String> ROLES =
      Set.of(Caller.ROLE_USER, Caller.ROLE_PLATFORM, Caller.ROLE_ADMIN, Caller.ROLE_CREATOR);

  /** How long a cached token is trusted before its row is read again. */
  public static final Duration RECHECK_AFTER = Duration.ofSeconds(30);

  /**
   * How often {@code last_used_at} is written at most; it lags the last use by this plus
   * {@link #RECHECK_AFTER} at most.
   */
  public static final Duration LAST_USE_PRECISION = Duration.ofMinutes(1);

  /** Where a token came from. */
  public enum Source {
    /** {@code BILLING_ADMIN_TOKEN}; replaced when it changes. */
    ENVIRONMENT,
    /** The admin token the host generated because no {@code BILLING_ADMIN_TOKEN} was set. */
    GENERATED,
    /** Issued through {@code POST /api/admin/tokens}. */
    ISSUED,
    /**
     * An admin token stored by a 0.1 host, which stored one (generated or from the environment)
     * on every start; revoked at the first start of a 0.2 host.
     */
    LEGACY;

    @JsonValue
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Source of(String label) {
      return valueOf(label.toUpperCase(Locale.ROOT));
    }
  }

  /** A token as admins see it: everything but the secret and its hash. */
  public record TokenInfo(
      long id,
      String userId,
      List<String> roles,
      Source source,
      Instant createdAt,
      Instant expiresAt,
      Instant lastUsedAt,
      Instant revokedAt) {}

  /** A token just created: its secret, shown this once and never stored, and its row. */
  public record NewToken(String token, TokenInfo info) {}

  /** A valid token's caller, as last read from its row. */
  private record Trusted(Caller caller, Instant expiresAt, Instant checkedAt) {
    boolean trustedAt(Instant now) {
      // A clock that went back (tests move it) counts as stale rather than trusted for longer.
      return !now.isBefore(checkedAt)
          && now.isBefore(checkedAt.plus(RECHECK_AFTER))
          && (expiresAt == null || now.isBefore(expiresAt));
    }
  }

  /** The columns {@link #info} reads, in its order. */
  private static final String COLUMNS =
      "id, user_id, roles, source, created_at, expires_at, last_used_at, revoked_at";

  // a revoked token stays revoked: then nothing is returned
  private static final String UPSERT_ENVIRONMENT =
      """
      INSERT INTO host_tokens (token_hash, user_id, roles, source, created_at)
      VALUES (?, ?, ?, 'environment', ?)
      ON CONFLICT (token_hash) DO UPDATE
      SET user_id = EXCLUDED.user_id, roles = EXCLUDED.roles, source = 'environment'
      WHERE host_tokens.revoked_at IS NULL
      RETURNING %s"""
          .formatted(COLUMNS);

  private static final String RETIRE =
      """
      UPDATE host_tokens SET revoked_at = ?
      WHERE source = ? AND revoked_at IS NULL AND token_hash IS DISTINCT FROM ?
      RETURNING token_hash""";

  private static final String BY_HASH =
      "SELECT %s FROM host_tokens WHERE token_hash = ?".formatted(COLUMNS);

  private static final String INSERT =
      """
      INSERT INTO host_tokens (token_hash, user_id, roles, source, created_at, expires_at)
      VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT DO NOTHING
      RETURNING %s"""
          .formatted(COLUMNS);

  private static final String ACTIVE_GENERATED =
      """
      SELECT %s FROM host_tokens WHERE source = 'generated' AND revoked_at IS NULL"""
          .formatted(COLUMNS);

  private static final String LIST = "SELECT %s FROM host_tokens ORDER BY id".formatted(COLUMNS);

  private static final String REVOKE =
      """
      UPDATE host_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?
      RETURNING token_hash""";

  // reads the row of a token valid now and, in the same statement, records this use unless one
  // less than a minute ago was (the condition on t.last_used_at is re-read after a concurrent
  // writer, so nodes checking at once write once)
  private static final String CHECK =
      """
      WITH valid AS (
        SELECT id, user_id, roles, expires_at FROM host_tokens
        WHERE token_hash = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)
      ), used AS (
        UPDATE host_tokens t SET last_used_at = ? FROM valid
        WHERE t.id = valid.id AND (t.last_used_at IS NULL OR t.last_used_at <= ?)
      )
      SELECT user_id, roles, expires_at FROM valid""";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final DataSource dataSource;
  private final Clock clock;
  private final Map<String, Trusted> trustedByHash = new ConcurrentHashMap<>();

  public TokenStore(DataSource dataSource, Clock clock) {
    this.dataSource = dataSource;
    this.clock = clock;
  }

  /** Creates a random token for a user, valid until {@code expiresAt} (null: until revoked). */
  public NewToken issue(String userId, Set<String> roles, Instant expiresAt) {
    return insertNew(Source.ISSUED, userId, roles, expiresAt).orElseThrow();
  }

  /**
   * Makes {@code token} the one environment token, revoking the previous ones.
   *
   * @return its row, with {@code revokedAt} set when this token was revoked before: then
   *     nothing changed, and it stays revoked
   */
  public TokenInfo replaceEnvironmentToken(String token, String userId, Set<String> roles) {
    String hash = hash(token);
    Instant now = clock.instant();
    record Replaced(TokenInfo row, List<String> retired) {}
    try {
      Replaced replaced =
          Transactions.inTransaction(
              dataSource,
              connection -> {
                Optional<TokenInfo> current;
                try (PreparedStatement statement =
                    Sql.prepare(
                        connection,
                        UPSERT_ENVIRONMENT,
                        hash,
                        userId,
                        connection.createArrayOf("text", roles.toArray()),
                        Timestamp.from(now))) {
                  current = single(statement);
                }
                if (current.isEmpty()) { // revoked: the upsert changed nothing
                  return new Replaced(byHash(connection, hash), List.of());
                }
                return new Replaced(current.get(), retire(connection, "environment", hash, now));
              });
      replaced.retired().forEach(trustedByHash::remove);
      return replaced.row();
    } catch (SQLException e) {
      throw Sql.failure("storing the environment's admin token", e);
    }
  }

  /**
   * Revokes the admin tokens 0.1 hosts stored, one per start ({@link Source#LEGACY}): they were
   * printed to consoles and logs, and none of them was meant to outlive its start.
   *
   * @return how many were revoked
   */
  public int retireLegacyAdminTokens() {
    try (Connection connection = dataSource.getConnection()) {
      List<String> retired = retire(connection, "legacy", null, clock.instant());
      retired.forEach(trustedByHash::remove);
      return retired.size();
    } catch (SQLException e) {
      throw Sql.failure("revoking the admin tokens of 0.1 hosts", e);
    }
  }

  /** Revokes the active tokens of {@code source} but {@code keepHash} (none when null). */
  private static List<String> retire(
      Connection connection, String source, String keepHash, Instant now) throws SQLException {
    List<String> retired = new ArrayList<>();
    try (PreparedStatement statement =
            Sql.prepare(connection, RETIRE, Timestamp.from(now), source, keepHash);
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        retired.add(rows.getString(1));
      }
    }
    return retired;
  }

  private static TokenInfo byHash(Connection connection, String hash) throws SQLException {
    try (PreparedStatement statement = Sql.prepare(connection, BY_HASH, hash)) {
      return single(statement).orElseThrow();
    }
  }

  /**
   * Creates the generated admin token unless one is active (not revoked), which a database
   * index guarantees even when several nodes start at once.
   *
   * @return the new token; empty when an active one exists
   */
  public Optional<NewToken> generateAdminTokenOnce(String userId, Set<String> roles) {
    return insertNew(Source.GENERATED, userId, roles, null);
  }

  /** Stores a new random token; empty when a unique index refuses it. */
  private Optional<NewToken> insertNew(
      Source source, String userId, Set<String> roles, Instant expiresAt) {
    String token = newSecret();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(INSERT)) {
      statement.setString(1, hash(token));
      statement.setString(2, userId);
      statement.setArray(3, connection.createArrayOf("text", roles.toArray()));
      statement.setString(4, source.label());
      statement.setTimestamp(5, Timestamp.from(clock.instant()));
      statement.setTimestamp(6, expiresAt == null ? null : Timestamp.from(expiresAt));
      return single(statement).map(info -> new NewToken(token, info));
    } catch (SQLException e) {
      throw Sql.failure("storing a new " + source.label() + " token", e);
    }
  }

  /** The generated admin token that is active, if any. */
  public Optional<TokenInfo> activeGeneratedAdminToken() {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(ACTIVE_GENERATED)) {
      return single(statement);
    } catch (SQLException e) {
      throw Sql.failure("reading the generated admin token", e);
    }
  }

  /** Every token, revoked and expired ones too, oldest first. */
  public List<TokenInfo> list() {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(LIST);
        ResultSet rows = statement.executeQuery()) {
      List<TokenInfo> tokens = new ArrayList<>();
      while (rows.next()) {
        tokens.add(info(rows));
      }
      return tokens;
    } catch (SQLException e) {
      throw Sql.failure("listing tokens", e);
    }
  }

  /**
   * Revokes a token, here at once (other nodes within {@link #RECHECK_AFTER}). Revoking a revoked
   * token keeps its first revocation time.
   *
   * @return false when there is no token with this id
   */
  public boolean revoke(long id) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            Sql.prepare(connection, REVOKE, Timestamp.from(clock.instant()), id);
        ResultSet rows = statement.executeQuery()) {
      if (!rows.next()) {
        return false;
      }
      trustedByHash.remove(rows.getString(1));
      return true;
    } catch (SQLException e) {
      throw Sql.failure("revoking a token", e);
    }
  }

  /** Who a token belongs to, from memory alone: empty unless it was checked recently. */
  public Optional<Caller> cached(String token) {
    return trusted(hash(token), clock.instant());
  }

  /** Who a token belongs to; empty when it is unknown, revoked or expired. */
  public Optional<Caller> lookup(String token) {
    String hash = hash(token);
    Instant now = clock.instant();
    Optional<Caller> trusted = trusted(hash, now);
    if (trusted.isPresent()) {
      return trusted;
    }
    Optional<Trusted> checked = check(hash, now);
    checked.ifPresentOrElse(t -> trustedByHash.put(hash, t), () -> trustedByHash.remove(hash));
    return checked.map(Trusted::caller);
  }

  private Optional<Caller> trusted(String hash, Instant now) {
    Trusted trusted = trustedByHash.get(hash);
    return trusted != null && trusted.trustedAt(now)
        ? Optional.of(trusted.caller())
        : Optional.empty();
  }

  /** Reads a token's row if it is valid now, recording this use ({@link #CHECK}). */
  private Optional<Trusted> check(String hash, Instant now) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(CHECK)) {
      statement.setString(1, hash);
      statement.setTimestamp(2, Timestamp.from(now));
      statement.setTimestamp(3, Timestamp.from(now));
      statement.setTimestamp(4, Timestamp.from(now.minus(LAST_USE_PRECISION)));
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        Caller caller = new Caller(rows.getString(1), Set.copyOf(roles(rows, 2)));
        return Optional.of(new Trusted(caller, Sql.instant(rows.getTimestamp(3)), now));
      }
    } catch (SQLException e) {
      throw Sql.failure("looking up a token", e);
    }
  }

  private static Optional<TokenInfo> single(PreparedStatement statement) throws SQLException {
    try (ResultSet rows = statement.executeQuery()) {
      return rows.next() ? Optional.of(info(rows)) : Optional.empty();
    }
  }

  private static TokenInfo info(ResultSet rows) throws SQLException {
    List<String> roles = roles(rows, 3);
    roles.sort(null);
    return new TokenInfo(
        rows.getLong(1),
        rows.getString(2),
        List.copyOf(roles),
        Source.of(rows.getString(4)),
        Sql.instant(rows.getTimestamp(5)),
        Sql.instant(rows.getTimestamp(6)),
        Sql.instant(rows.getTimestamp(7)),
        Sql.instant(rows.getTimestamp(8)));
  }

  private static List<String> roles(ResultSet rows, int column) throws SQLException {
    return new ArrayList<>(Arrays.asList((String[]) rows.getArray(column).getArray()));
  }

  private static String newSecret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
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
