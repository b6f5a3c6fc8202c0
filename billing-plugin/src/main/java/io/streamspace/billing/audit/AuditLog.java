package io.streamspace.billing.audit;

import io.streamspace.billing.audit.ChainCheck.BrokenLink;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.sql.DataSource;

/** Reads the trail: entries by the admin's filters, and the walk that checks every chain. */
public final class AuditLog {

  private static final NamedSql LIST =
      NamedSql.of(
          """
          SELECT id, occurred_at, actor_type, actor_id, org_id, kind, subject, before::text,
                 after::text, reason, request_id, chain_seq, prev_hash, hash
          FROM billing_audit_entries
          WHERE (:org_id::text IS NULL OR org_id = :org_id)
            AND (:actor_type::text IS NULL OR actor_type = :actor_type)
            AND (:actor_id::text IS NULL OR actor_id = :actor_id)
            AND (:kind::text IS NULL OR kind = :kind)
            AND (:from::timestamptz IS NULL OR occurred_at >= :from)
            AND (:to::timestamptz IS NULL OR occurred_at < :to)
            AND (:before_id::bigint IS NULL OR id < :before_id)
          ORDER BY id DESC
          LIMIT :limit""");

  // Each entry against the one before it in its chain: its place follows (no entry missing),
  // its prev_hash is that entry's hash, and its hash is that of its content. Then each chain's
  // head against its last entry (none missing at the end). The first failure by id is reported.
  private static final NamedSql VERIFY =
      NamedSql.of(
          """
          WITH walked AS (
            SELECT e.id, e.chain, e.chain_seq, e.prev_hash, e.hash,
                   billing_audit_hash(e.id, e.chain, e.chain_seq, e.occurred_at, e.actor_type,
                                      e.actor_id, e.org_id, e.kind, e.subject, e.before,
                                      e.after, e.reason, e.request_id, e.prev_hash)
                     AS recomputed,
                   lag(e.chain_seq) OVER w AS previous_seq,
                   lag(e.hash) OVER w AS previous_hash
            FROM billing_audit_entries e
            WINDOW w AS (PARTITION BY e.chain ORDER BY e.chain_seq)
          ),
          judged AS (
            SELECT id, chain, chain_seq,
                   CASE
                     WHEN chain_seq <> coalesce(previous_seq, 0) + 1
                       THEN format('entries %s to %s of the chain are missing before it',
                                   coalesce(previous_seq, 0) + 1, chain_seq - 1)
                     WHEN prev_hash IS DISTINCT FROM previous_hash
                       THEN format('its prev_hash %s is not the hash %s of the entry before it',
                                   coalesce(encode(prev_hash, 'hex'), 'null'),
                                   coalesce(encode(previous_hash, 'hex'), 'null'))
                     WHEN hash <> recomputed
                       THEN format('its content does not match its hash: stored %s, computed %s',
                                   encode(hash, 'hex'), encode(recomputed, 'hex'))
                   END AS problem
            FROM walked
          ),
          tails AS (
            SELECT l.id, h.chain, coalesce(l.chain_seq, 0) AS chain_seq,
                   format('the chain ends at entry %s but its head counts %s (entries missing'
                          || ' at its end)', coalesce(l.chain_seq, 0), h.last_seq) AS problem
            FROM billing_audit_chains h
            LEFT JOIN LATERAL (SELECT e.id, e.chain_seq FROM billing_audit_entries e
                               WHERE e.chain = h.chain
                               ORDER BY e.chain_seq DESC LIMIT 1) l ON true
            WHERE coalesce(l.chain_seq, 0) <> h.last_seq
          ),
          broken AS (
            SELECT id, chain, chain_seq, problem FROM judged WHERE problem IS NOT NULL
            UNION ALL
            SELECT id, chain, chain_seq, problem FROM tails
          )
          SELECT (SELECT count(*) FROM walked), (SELECT count(DISTINCT chain) FROM walked),
                 b.id, b.chain, b.chain_seq, b.problem
          FROM (SELECT 1) one
          LEFT JOIN LATERAL (SELECT * FROM broken ORDER BY id NULLS LAST, chain LIMIT 1) b
            ON true""");

  private static final HexFormat HEX = HexFormat.of();

  /** Told each entry in turn, as it is read. */
  @FunctionalInterface
  public interface EntrySink {
    void accept(AuditRecord entry) throws IOException;
  }

  private final DataSource dataSource;

  public AuditLog(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Up to {@code limit} entries matching the filter, newest first. */
  public List<AuditRecord> page(AuditFilter filter, int limit) throws SQLException {
    List<AuditRecord> entries = new ArrayList<>();
    try {
      forEach(filter, limit, entries::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // adding to a list does not fail so
    }
    return entries;
  }

  /**
   * Reads up to {@code limit} entries matching the filter, newest first, from a cursor (a CSV of
   * a year is not held in memory), handing each to the sink as it comes.
   */
  public void forEach(AuditFilter filter, long limit, EntrySink sink)
      throws SQLException, IOException {
    try (Connection connection = dataSource.getConnection()) {
      // a cursor needs a transaction; read-only, it changes nothing
      connection.setAutoCommit(false);
      try (PreparedStatement statement =
          LIST.bind("org_id", filter.orgId())
              .bind("actor_type", filter.actorType() == null ? null : filter.actorType().value())
              .bind("actor_id", filter.actorId())
              .bind("kind", filter.kind())
              .bind("from", filter.from())
              .bind("to", filter.to())
              .bind("before_id", filter.beforeId())
              .bind("limit", limit)
              .prepare(connection)) {
        statement.setFetchSize(500);
        try (ResultSet rs = statement.executeQuery()) {
          while (rs.next()) {
            sink.accept(read(rs));
          }
        }
      } finally {
        connection.rollback();
      }
    }
  }

  /**
   * Walks every chain and reports the first broken link, or that all is intact; anchored {@link
   * ChainCheck#OFF} (the caller says otherwise when it checked a checkpoint too).
   */
  public ChainCheck verify() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = VERIFY.binding().prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      long checked = rs.getLong(1);
      long chains = rs.getLong(2);
      String chain = rs.getString(4);
      if (chain == null) {
        return new ChainCheck(true, checked, chains, null, ChainCheck.OFF, null);
      }
      long id = rs.getLong(3);
      Long brokenId = rs.wasNull() ? null : id;
      return new ChainCheck(
          false,
          checked,
          chains,
          new BrokenLink(brokenId, chain, rs.getLong(5), rs.getString(6)),
          ChainCheck.OFF,
          null);
    }
  }

  private static AuditRecord read(ResultSet rs) throws SQLException {
    try {
      return new AuditRecord(
          rs.getLong(1),
          rs.getTimestamp(2).toInstant(),
          rs.getString(3),
          rs.getString(4),
          rs.getString(5),
          rs.getString(6),
          rs.getString(7),
          rs.getString(8) == null ? null : JsonMapper.MAPPER.readTree(rs.getString(8)),
          rs.getString(9) == null ? null : JsonMapper.MAPPER.readTree(rs.getString(9)),
          rs.getString(10),
          rs.getString(11),
          rs.getLong(12),
          hex(rs.getBytes(13)),
          hex(rs.getBytes(14)));
    } catch (IOException e) {
      throw new SQLException("an audit entry's JSON could not be read", e);
    }
  }

  private static String hex(byte[] bytes) {
    return bytes == null ? null : HEX.formatHex(bytes);
  }
}
