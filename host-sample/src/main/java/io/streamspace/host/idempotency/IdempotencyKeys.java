package io.streamspace.host.idempotency;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.common.db.Sql;
import io.streamspace.plugin.api.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idempotency keys in {@code host_idempotency_keys}, one row per (caller, key): claimed by the
 * first request (committed before it runs, so every node sees it), then completed with its
 * answer (committed before the answer is sent) or released. Rows are kept {@link #RETENTION},
 * then pruned: at most once a {@link #PRUNE_EVERY} per node, by one indexed DELETE, as keys are
 * claimed, so no job is needed.
 */
public final class IdempotencyKeys {

  /** How long a key is kept (and its answer replayed) after its first request. */
  public static final Duration RETENTION = Duration.ofHours(24);

  static final Duration PRUNE_EVERY = Duration.ofMinutes(1);

  /** What a request bearing a key may do. */
  public sealed interface Claim {}

  /** The key is new: run the request, then {@link #complete} or {@link #release} it. */
  public record Claimed() implements Claim {}

  /** The same request ran before: answer what it answered. */
  public record Replay(HttpResponse answer) implements Claim {}

  /** The same key's first request has not finished. */
  public record InProgress() implements Claim {}

  /** The key was used for another request (another route or body). */
  public record Reused() implements Claim {}

  private static final Logger log = LoggerFactory.getLogger(IdempotencyKeys.class);
  private static final TypeReference<Map<String, String>> HEADERS = new TypeReference<>() {};

  private static final String CLAIM =
      """
      INSERT INTO host_idempotency_keys (user_id, idempotency_key, request_hash, created_at)
      VALUES (?, ?, ?, ?)
      ON CONFLICT DO NOTHING""";

  private static final String CLAIMED =
      """
      SELECT request_hash, status, content_type, headers::text, body
      FROM host_idempotency_keys WHERE user_id = ? AND idempotency_key = ?""";

  private static final String COMPLETE =
      """
      UPDATE host_idempotency_keys
      SET status = ?, content_type = ?, headers = ?::jsonb, body = ?, completed_at = ?
      WHERE user_id = ? AND idempotency_key = ?""";

  private static final String RELEASE =
      "DELETE FROM host_idempotency_keys WHERE user_id = ? AND idempotency_key = ?";

  // Only the claim that failed is deleted: still in progress, made before its release failed.
  // A newer claim of the same key (this request's retry on another thread, or a claim after the
  // key was pruned) is left alone.
  private static final String RELEASE_FAILED_CLAIM =
      """
      DELETE FROM host_idempotency_keys
      WHERE user_id = ? AND idempotency_key = ? AND status IS NULL AND created_at <= ?""";

  private static final String PRUNE = "DELETE FROM host_idempotency_keys WHERE created_at < ?";

  private final DataSource dataSource;
  private final Clock clock;
  private final ObjectMapper mapper;
  private final AtomicReference<Instant> lastPrune = new AtomicReference<>(Instant.MIN);
  // Keys whose request did not run to a kept answer but could not be released (the database was
  // down: the usual reason for the failure itself). Released before the next claim, so the
  // caller's retry, which Retry-After invites, is not told "in progress" for 24 hours. Kept in
  // memory: a host restarted meanwhile leaves the key in progress until it expires.
  private final Set<Unreleased> unreleased = ConcurrentHashMap.newKeySet();

  private record Unreleased(String userId, String key, Instant failedAt) {}

  public IdempotencyKeys(DataSource dataSource, Clock clock, ObjectMapper mapper) {
    this.dataSource = dataSource;
    this.clock = clock;
    this.mapper = mapper;
  }

  /**
   * Claims {@code key} for the caller's request of {@code requestHash}, or says why not. A
   * concurrent claim of the same key waits for the first insert's commit (microseconds: it is
   * its own statement) and then sees it in progress.
   */
  public Claim claim(String userId, String key, String requestHash) {
    releaseWhatCouldNotBeReleased();
    pruneIfDue();
    try (Connection connection = dataSource.getConnection()) {
      // a row released (or pruned) between the insert and the select: claim again
      while (true) {
        try (PreparedStatement statement = connection.prepareStatement(CLAIM)) {
          statement.setString(1, userId);
          statement.setString(2, key);
          statement.setString(3, requestHash);
          statement.setTimestamp(4, Timestamp.from(clock.instant()));
          if (statement.executeUpdate() == 1) {
            return new Claimed();
          }
        }
        try (PreparedStatement statement = connection.prepareStatement(CLAIMED)) {
          statement.setString(1, userId);
          statement.setString(2, key);
          try (ResultSet row = statement.executeQuery()) {
            if (row.next()) {
              return existing(row, requestHash);
            }
          }
        }
      }
    } catch (SQLException e) {
      throw Sql.failure("claiming an idempotency key", e);
    }
  }

  private Claim existing(ResultSet row, String requestHash) throws SQLException {
    if (!row.getString(1).equals(requestHash)) {
      return new Reused();
    }
    int status = row.getInt(2);
    if (row.wasNull()) {
      return new InProgress();
    }
    return new Replay(
        HttpResponse.of(status, row.getString(3), row.getBytes(5), headers(row.getString(4))));
  }

  /** Keeps the first request's answer, to be replayed to every retry. */
  public void complete(String userId, String key, HttpResponse answer) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(COMPLETE)) {
      statement.setInt(1, answer.status());
      statement.setString(2, answer.contentType());
      statement.setString(3, mapper.writeValueAsString(answer.headers()));
      statement.setBytes(4, answer.body());
      statement.setTimestamp(5, Timestamp.from(clock.instant()));
      statement.setString(6, userId);
      statement.setString(7, key);
      statement.executeUpdate();
    } catch (SQLException e) {
      throw Sql.failure("storing an idempotent answer", e);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("headers are a map of strings", e);
    }
  }

  /**
   * Forgets the key: the request left no answer worth keeping and may be sent again. When the
   * database cannot be reached, the key is remembered and released before this node's next
   * claim; never throws, so the request's own failure is what its caller sees.
   */
  public void release(String userId, String key) {
    try {
      delete(RELEASE, userId, key);
    } catch (SQLException e) {
      unreleased.add(new Unreleased(userId, key, clock.instant()));
      log.warn(
          "Could not release an idempotency key of {} ({}); retrying before the next claim",
          userId,
          e.getMessage());
    }
  }

  private void releaseWhatCouldNotBeReleased() {
    for (Unreleased pending : unreleased) {
      if (!unreleased.remove(pending)) {
        continue; // another thread is releasing it
      }
      try {
        delete(
            RELEASE_FAILED_CLAIM,
            pending.userId(),
            pending.key(),
            Timestamp.from(pending.failedAt()));
      } catch (SQLException e) {
        unreleased.add(pending);
        return; // still down: the claim fails on its own
      }
    }
  }

  private void delete(String sql, Object... params) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = Sql.prepare(connection, sql, params)) {
      statement.executeUpdate();
    }
  }

  /** Deletes every key older than {@link #RETENTION}; answers how many. */
  public int prune() {
    Instant now = clock.instant();
    lastPrune.set(now);
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(PRUNE)) {
      statement.setTimestamp(1, Timestamp.from(now.minus(RETENTION)));
      return statement.executeUpdate();
    } catch (SQLException e) {
      throw Sql.failure("pruning idempotency keys", e);
    }
  }

  private void pruneIfDue() {
    Instant last = lastPrune.get();
    Instant now = clock.instant();
    if (last.isBefore(now.minus(PRUNE_EVERY)) && lastPrune.compareAndSet(last, now)) {
      prune();
    }
  }

  private Map<String, String> headers(String json) {
    try {
      return json == null ? Map.of() : mapper.readValue(json, HEADERS);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored headers are a JSON object of strings", e);
    }
  }
}
