package io.streamspace.billing.corrections;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.common.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The corrections' journal ({@code billing_corrections}, {@code billing_correction_entries}, V85):
 * a correction and its entries written once, read back as entries, and the step each has reached,
 * in the caller's transaction.
 */
final class CorrectionJournal {

  /** How far a correction is applied ({@code billing_corrections.step}). */
  enum Step {
    RECORDED,
    APPLIED,
    ANNOUNCED;

    String value() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    static Step of(String value) {
      return valueOf(value.toUpperCase(java.util.Locale.ROOT));
    }
  }

  /** A recorded correction, as its request's retry finds it. */
  record Recorded(long id, String hash, Step step) {}

  /** Who made a correction, and why: its audit entries' cause. */
  record Made(String reason, String actorId, String requestId, Instant createdAt) {}

  private static final NamedSql INSERT =
      NamedSql.of(
          """
          INSERT INTO billing_corrections (source, request_hash, reason, actor_id, request_id,
                                           created_at)
          VALUES (:source, :hash, :reason, :actor, :request_id, :now)
          RETURNING id""");

  /** The id a preview is made under (never committed): it takes no number of the series. */
  static final long PREVIEW = -1;

  // a preview's: concurrent previews wait for each other on its key, each rolled back
  private static final NamedSql INSERT_PREVIEW =
      NamedSql.of(
          """
          INSERT INTO billing_corrections (id, source, request_hash, reason, actor_id,
                                           request_id, created_at)
          OVERRIDING SYSTEM VALUE
          VALUES (-1, :source, :hash, :reason, :actor, :request_id, :now)
          RETURNING id""");

  private static final NamedSql INSERT_ENTRIES =
      NamedSql.of(
          """
          INSERT INTO billing_correction_entries (correction_id, entry_no, item_no, kind, org_id,
              event_id, session_id, from_at, to_at, cpu_cores, memory_gb, storage_gb, resources,
              quantity, event)
          SELECT :id, * FROM unnest(:entry_no::text[]::int[], :item_no::text[]::int[],
              :kind::text[], :org_id::text[], :event_id::text[], :session_id::text[],
              :from_at::text[]::timestamptz[], :to_at::text[]::timestamptz[],
              :cpu_cores::text[]::numeric[], :memory_gb::text[]::numeric[],
              :storage_gb::text[]::numeric[], :resources::text[]::jsonb[],
              :quantity::text[]::numeric[], :event::text[]::jsonb[])""");

  private static final NamedSql BY_SOURCE =
      NamedSql.of("SELECT id, request_hash, step FROM billing_corrections WHERE source = :source");

  private static final NamedSql LOCK =
      NamedSql.of("SELECT step FROM billing_corrections WHERE id = :id FOR UPDATE");

  private static final NamedSql MADE =
      NamedSql.of(
          """
          SELECT reason, actor_id, request_id, created_at FROM billing_corrections
          WHERE id = :id""");

  private static final NamedSql SET_STEP =
      NamedSql.of(
          """
          UPDATE billing_corrections
          SET step = :step, applied_at = coalesce(applied_at, :now) WHERE id = :id""");

  private static final String ENTRY_COLUMNS =
      """
      e.correction_id, e.item_no, e.kind, e.org_id, e.event_id, e.session_id, e.from_at,
      e.to_at, e.cpu_cores, e.memory_gb, e.storage_gb, e.resources::text, e.quantity,
      e.event::text""";

  private static final NamedSql ENTRIES =
      NamedSql.of(
          """
          SELECT %s FROM billing_correction_entries e
          WHERE e.correction_id = :id ORDER BY e.entry_no"""
              .formatted(ENTRY_COLUMNS));

  // The organizations' entries of the corrections applied so far, in the order they were
  // applied (and made): the corrected history is read through them
  private static final NamedSql APPLIED_OF =
      NamedSql.of(
          """
          SELECT %s FROM billing_correction_entries e
          JOIN billing_corrections c ON c.id = e.correction_id
          WHERE e.org_id = ANY (:orgs::text[]) AND c.step <> 'recorded'
          ORDER BY c.applied_at, c.id, e.entry_no"""
              .formatted(ENTRY_COLUMNS));

  // not announced yet, or (:credits) with a credit note not issued yet (none could be then)
  private static final NamedSql UNFINISHED =
      NamedSql.of(
          """
          SELECT r.id FROM billing_corrections r WHERE r.step <> 'announced'
          UNION
          SELECT c.correction_id FROM billing_correction_credits c
          WHERE c.issued_at IS NULL AND :credits
          ORDER BY 1""");

  private CorrectionJournal() {}

  /** Writes a correction and its entries (their organizations found); answers its id. */
  static long record(
      Connection connection,
      String source,
      CorrectionRequest request,
      List<Entry> entries,
      Made made)
      throws SQLException {
    long id;
    try (PreparedStatement statement =
            (source.startsWith("preview:") ? INSERT_PREVIEW : INSERT)
                .bind("source", source)
                .bind("hash", request.hash())
                .bind("reason", made.reason())
                .bind("actor", made.actorId())
                .bind("request_id", made.requestId())
                .bind("now", made.createdAt())
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      id = rs.getLong(1);
    }
    List<EntryRow> rows = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      rows.add(EntryRow.of(i, entries.get(i)));
    }
    INSERT_ENTRIES
        .bind("id", id)
        .bind("entry_no", SqlArrays.array(connection, rows, EntryRow::entryNo))
        .bind("item_no", SqlArrays.array(connection, rows, EntryRow::itemNo))
        .bind("kind", SqlArrays.array(connection, rows, EntryRow::kind))
        .bind("org_id", SqlArrays.array(connection, rows, EntryRow::orgId))
        .bind("event_id", SqlArrays.array(connection, rows, EntryRow::eventId))
        .bind("session_id", SqlArrays.array(connection, rows, EntryRow::sessionId))
        .bind("from_at", SqlArrays.array(connection, rows, EntryRow::from))
        .bind("to_at", SqlArrays.array(connection, rows, EntryRow::to))
        .bind("cpu_cores", SqlArrays.array(connection, rows, EntryRow::cpuCores))
        .bind("memory_gb", SqlArrays.array(connection, rows, EntryRow::memoryGb))
        .bind("storage_gb", SqlArrays.array(connection, rows, EntryRow::storageGb))
        .bind("resources", SqlArrays.array(connection, rows, EntryRow::resources))
        .bind("quantity", SqlArrays.array(connection, rows, EntryRow::quantity))
        .bind("event", SqlArrays.array(connection, rows, EntryRow::event))
        .update(connection);
    return id;
  }

  static Optional<Recorded> bySource(Connection connection, String source) throws SQLException {
    try (PreparedStatement statement = BY_SOURCE.bind("source", source).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      return rs.next()
          ? Optional.of(new Recorded(rs.getLong(1), rs.getString(2), Step.of(rs.getString(3))))
          : Optional.empty();
    }
  }

  /** Locks the correction's row for the transaction; answers the step it has reached. */
  static Step lock(Connection connection, long id) throws SQLException {
    try (PreparedStatement statement = LOCK.bind("id", id).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      return Step.of(rs.getString(1));
    }
  }

  static Made made(Connection connection, long id) throws SQLException {
    try (PreparedStatement statement = MADE.bind("id", id).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      return new Made(
          rs.getString(1), rs.getString(2), rs.getString(3), Sql.instant(rs.getTimestamp(4)));
    }
  }

  static void reached(Connection connection, long id, Step step, Instant now) throws SQLException {
    SET_STEP.bind("step", step.value()).bind("now", now).bind("id", id).update(connection);
  }

  static List<Entry> entries(Connection connection, long id) throws SQLException {
    return read(connection, ENTRIES.bind("id", id));
  }

  /** The organizations' entries of every correction applied so far, in the order applied. */
  static List<Entry> appliedOf(Connection connection, List<String> orgs) throws SQLException {
    return read(connection, APPLIED_OF.bind("orgs", SqlArrays.array(connection, orgs, o -> o)));
  }

  /**
   * The corrections a crash left part way; with {@code credits}, also those whose credit notes
   * wait (none could be issued when they were applied).
   */
  static List<Long> unfinished(Connection connection, boolean credits) throws SQLException {
    List<Long> ids = new ArrayList<>();
    try (PreparedStatement statement = UNFINISHED.bind("credits", credits).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        ids.add(rs.getLong(1));
      }
    }
    return ids;
  }

  private static List<Entry> read(Connection connection, NamedSql.Binding query)
      throws SQLException {
    List<Entry> entries = new ArrayList<>();
    try (PreparedStatement statement = query.prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        entries.add(EntryRow.read(rs));
      }
    }
    return entries;
  }
}
