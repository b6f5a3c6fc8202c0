package io.streamspace.billing.audit;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.json.JsonMapper;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Writes audit entries on the caller's connection, so that an entry commits or rolls back with
 * the change it records. The chain fields (place, previous hash, hash) are the database's to
 * fill ({@code billing_audit_link}, V41): the writer only says what happened.
 *
 * <p>A set-based change (an invoice run's drafts) writes its entries in its own statement
 * instead, one row per changed row, into {@link #INSERT_COLUMNS}: see {@code InvoiceDrafts}.
 */
public final class AuditTrail {

  /** The columns a writer fills, for set-based statements that insert entries themselves. */
  public static final String INSERT_COLUMNS =
      "billing_audit_entries (occurred_at, actor_type, actor_id, org_id, kind, subject, before,"
          + " after, reason, request_id)";

  private static final NamedSql INSERT =
      NamedSql.of(
          "INSERT INTO "
              + INSERT_COLUMNS
              + """

              VALUES (:at, :actor_type, :actor_id, :org_id, :kind, :subject, :before::jsonb,
                      :after::jsonb, :reason, :request_id)""");

  // entries of a batch, one row per element of the arrays, in their order (a chain's order)
  private static final NamedSql INSERT_ALL =
      NamedSql.of(
          "INSERT INTO "
              + INSERT_COLUMNS
              + """

              SELECT * FROM unnest(:at::text[]::timestamptz[], :actor_type::text[],
                                   :actor_id::text[], :org_id::text[], :kind::text[],
                                   :subject::text[], :before::text[]::jsonb[],
                                   :after::text[]::jsonb[], :reason::text[],
                                   :request_id::text[])""");

  private AuditTrail() {}

  /**
   * Appends the entries in the connection's transaction, in one statement, by organization (so
   * two set-based writers take the chains' heads in one order and wait rather than deadlock),
   * each organization's in their order.
   */
  public static void recordAll(Connection connection, List<AuditEntry> given) throws SQLException {
    if (given.isEmpty()) {
      return;
    }
    List<AuditEntry> entries = new ArrayList<>(given);
    entries.sort(
        Comparator.comparing(AuditEntry::orgId, Comparator.nullsFirst(Comparator.naturalOrder())));
    INSERT_ALL
        .bind("at", SqlArrays.array(connection, entries, AuditEntry::at))
        .bind("actor_type", SqlArrays.array(connection, entries, e -> actor(e).type().value()))
        .bind("actor_id", SqlArrays.array(connection, entries, e -> actor(e).id()))
        .bind("org_id", SqlArrays.array(connection, entries, AuditEntry::orgId))
        .bind("kind", SqlArrays.array(connection, entries, AuditEntry::kind))
        .bind("subject", SqlArrays.array(connection, entries, AuditEntry::subject))
        .bind("before", SqlArrays.array(connection, entries, e -> json(e.before())))
        .bind("after", SqlArrays.array(connection, entries, e -> json(e.after())))
        .bind("reason", SqlArrays.array(connection, entries, e -> e.cause().reason()))
        .bind("request_id", SqlArrays.array(connection, entries, e -> e.cause().requestId()))
        .update(connection);
  }

  private static Actor actor(AuditEntry entry) {
    return entry.cause().actor();
  }

  /** Appends the entry in the connection's transaction. */
  public static void record(Connection connection, AuditEntry entry) throws SQLException {
    Cause cause = entry.cause();
    INSERT
        .bind("at", entry.at())
        .bind("actor_type", cause.actor().type().value())
        .bind("actor_id", cause.actor().id())
        .bind("org_id", entry.orgId())
        .bind("kind", entry.kind())
        .bind("subject", entry.subject())
        .bind("before", json(entry.before()))
        .bind("after", json(entry.after()))
        .bind("reason", cause.reason())
        .bind("request_id", cause.requestId())
        .update(connection);
  }

  private static String json(Object value) {
    return value == null ? null : JsonMapper.write(value);
  }
}
