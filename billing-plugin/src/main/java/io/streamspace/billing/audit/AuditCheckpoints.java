package io.streamspace.billing.audit;

import io.streamspace.billing.audit.AuditCheckpoint.Head;
import io.streamspace.billing.audit.ChainCheck.BrokenLink;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;

/**
 * Signed checkpoints of the audit chains: {@link #take} signs every chain's head with the key
 * read from the host's environment ({@code auditCheckpointKey}, {@code BILLING_AUDIT_KEY}), which
 * the database never holds; {@link #check} tells whether the chains still hold a checkpoint's
 * heads. The hash chain alone shows an entry edited, but not a chain rewritten by whoever may
 * write the database (its hashes recomputed, its tail and head cut back, or a whole chain and its
 * head deleted); a head a checkpoint kept outside the database vouches for every entry up to it.
 * The key is never logged nor answered.
 */
public final class AuditCheckpoints {

  private static final String ALGORITHM = "HmacSHA256";
  private static final HexFormat HEX = HexFormat.of();

  // every chain's head entry, as committed now (one snapshot of the statement)
  private static final NamedSql HEADS =
      NamedSql.of(
          """
          SELECT h.chain, e.chain_seq, e.hash
          FROM billing_audit_chains h
          JOIN billing_audit_entries e ON e.chain = h.chain AND e.chain_seq = h.last_seq
          ORDER BY h.chain""");

  private static final NamedSql MADE =
      NamedSql.of(
          """
          INSERT INTO billing_audit_checkpoints (taken_at, chains, signature)
          VALUES (:at, :chains, :signature)""");

  private static final NamedSql LAST_MADE =
      NamedSql.of("SELECT max(taken_at) FROM billing_audit_checkpoints");

  // the first head of the checkpoint (by chain) the chain no longer holds: the entry at its
  // place is gone, or has another hash; with the chain's last place now
  private static final NamedSql UNHELD =
      NamedSql.of(
          """
          SELECT c.chain, c.seq, e.id, encode(e.hash, 'hex'),
                 (SELECT max(x.chain_seq) FROM billing_audit_entries x WHERE x.chain = c.chain)
          FROM unnest(:chains::text[], :seqs::text[]::bigint[], :hashes::text[])
                 AS c(chain, seq, hash)
          LEFT JOIN billing_audit_entries e ON e.chain = c.chain AND e.chain_seq = c.seq
          WHERE e.id IS NULL OR e.hash <> decode(c.hash, 'hex')
          ORDER BY c.chain
          LIMIT 1""");

  private final DataSource dataSource;
  private final Supplier<Optional<String>> key;
  private final BillingEvents events;
  private final Clock clock;

  /**
   * @param key the signing key as the host hands it ({@code config().secret(...)}), read at each
   *     use so that a key set or removed applies at once
   */
  public AuditCheckpoints(
      DataSource dataSource, Supplier<Optional<String>> key, BillingEvents events, Clock clock) {
    this.dataSource = dataSource;
    this.key = key;
    this.events = events;
    this.clock = clock;
  }

  /** Whether a key is set: without one no checkpoint is made and none can be checked. */
  public boolean anchoring() {
    return key.get().isPresent();
  }

  /**
   * Takes a checkpoint of every chain's head now, signed, records that it was made and publishes
   * it ({@link BillingEvents#AUDIT_CHECKPOINT}); empty without a key.
   */
  public Optional<AuditCheckpoint> publish() throws SQLException {
    Optional<AuditCheckpoint> taken = take();
    taken.ifPresent(checkpoint -> events.publish(BillingEvents.AUDIT_CHECKPOINT, checkpoint));
    return taken;
  }

  private Optional<AuditCheckpoint> take() throws SQLException {
    Optional<String> secret = key.get();
    if (secret.isEmpty()) {
      return Optional.empty();
    }
    Instant at = clock.instant().truncatedTo(ChronoUnit.MICROS);
    try (Connection connection = dataSource.getConnection()) {
      List<Head> heads = new ArrayList<>();
      try (PreparedStatement statement = HEADS.binding().prepare(connection);
          ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          heads.add(new Head(rs.getString(1), rs.getLong(2), HEX.formatHex(rs.getBytes(3))));
        }
      }
      AuditCheckpoint checkpoint = new AuditCheckpoint(at, heads, sign(secret.get(), at, heads));
      MADE.bind("at", at)
          .bind("chains", heads.size())
          .bind("signature", checkpoint.signature())
          .update(connection);
      return Optional.of(checkpoint);
    }
  }

  /** Whether no checkpoint was made in the {@code every} before now (none yet: due). */
  public boolean due(Duration every) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = LAST_MADE.binding().prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      Timestamp last = rs.getTimestamp(1);
      return last == null || !last.toInstant().plus(every).isAfter(clock.instant());
    }
  }

  /**
   * Whether the checkpoint was signed with the key (false without a key): its signature is the
   * HMAC of its instant and heads, compared in constant time.
   */
  public boolean signed(AuditCheckpoint checkpoint) {
    Optional<String> secret = key.get();
    if (secret.isEmpty()) {
      return false;
    }
    String expected = sign(secret.get(), checkpoint.at(), checkpoint.heads());
    return MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.US_ASCII),
        checkpoint.signature().getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * The first head of a (signed) checkpoint the chains no longer hold, by chain; empty when each
   * chain still holds its head at its place with its hash. Together with the walk of {@link
   * AuditLog#verify} (each entry's hash is its content's and links to the one before), every
   * entry up to each head is then the one the checkpoint saw.
   */
  public Optional<BrokenLink> check(AuditCheckpoint checkpoint) throws SQLException {
    List<Head> heads = checkpoint.heads();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            UNHELD
                .bind("chains", SqlArrays.array(connection, heads, Head::chain))
                .bind("seqs", SqlArrays.array(connection, heads, Head::chainSeq))
                .bind("hashes", SqlArrays.array(connection, heads, Head::hash))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      String chain = rs.getString(1);
      long seq = rs.getLong(2);
      long id = rs.getLong(3);
      Long entryId = rs.wasNull() ? null : id;
      String hash = rs.getString(4);
      long last = rs.getLong(5);
      boolean empty = rs.wasNull();
      String problem;
      if (entryId != null) {
        problem =
            "entry %d's hash %s is not the checkpoint's %s of %s: the chain up to it was rewritten"
                .formatted(seq, hash, expectedHash(heads, chain), checkpoint.at());
      } else if (empty) {
        problem =
            "the chain has no entries, but the checkpoint of %s holds its entry %d: it was deleted"
                .formatted(checkpoint.at(), seq);
      } else if (last < seq) {
        problem =
            ("the chain ends at entry %d, before entry %d the checkpoint of %s holds: its end was"
                    + " cut")
                .formatted(last, seq, checkpoint.at());
      } else {
        problem = "entry %d the checkpoint of %s holds is missing".formatted(seq, checkpoint.at());
      }
      return Optional.of(new BrokenLink(entryId, chain, seq, problem));
    }
  }

  private static String expectedHash(List<Head> heads, String chain) {
    return heads.stream().filter(h -> h.chain().equals(chain)).findFirst().orElseThrow().hash();
  }

  /**
   * What is signed: a JSON array of the event's name (a tag), the instant (ISO-8601, UTC) and
   * each head as {@code [chain, place, hash]}, by chain, so that the same checkpoint gives the
   * same text wherever it is checked.
   */
  static String signedText(Instant at, List<Head> heads) {
    List<List<Object>> byChain =
        heads.stream()
            .sorted(Comparator.comparing(Head::chain).thenComparingLong(Head::chainSeq))
            .map(h -> List.<Object>of(h.chain(), h.chainSeq(), h.hash()))
            .toList();
    return JsonMapper.write(List.of(BillingEvents.AUDIT_CHECKPOINT, at.toString(), byChain));
  }

  private static String sign(String secret, Instant at, List<Head> heads) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM));
      return HEX.formatHex(mac.doFinal(signedText(at, heads).getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available", e); // every JDK has it
    }
  }
}
