package io.streamspace.billing.corrections;

import io.streamspace.billing.corrections.RatedAgain.Watermark;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.rating.Rerating.RatedSlice;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a correction's slice changes where they bill (V86): a change of a period whose invoice
 * is finalized into {@code billing_correction_usage} under that invoice (out of every claim: it
 * becomes a credit note or a correction line), any other as a usage record of the correction's
 * own rating run (the period's invoice bills it when it is finalized, as any record); and moves
 * the watermarks of what it rated for the first time, so calculate-usage does not rate it again.
 * In the caller's transaction, which holds the organizations' locks.
 */
final class CorrectedRecords {

  private static final String COLUMNS =
      """
      :org::text[], :session::text[], :resource::text[], :activity::text[],
      :slice_start::text[]::timestamptz[], :slice_end::text[]::timestamptz[],
      :unit_seconds::text[]::numeric[], :unit::text[], :unit_price::text[]::numeric[],
      :full_price::text[]::numeric[], :currency::text[]""";

  private static final NamedSql RECORDS =
      NamedSql.of(
          """
          INSERT INTO billing_usage_records (user_id, session_id, resource_type, activity,
              slice_start, slice_end, unit_seconds, unit, unit_price, full_price, currency,
              created_at, rating_run, correction_id)
          SELECT *, :now::timestamptz, :run::bigint, :correction::bigint FROM unnest(%s)"""
              .formatted(COLUMNS));

  private static final NamedSql INVOICED =
      NamedSql.of(
          """
          INSERT INTO billing_correction_usage (user_id, session_id, resource_type, activity,
              slice_start, slice_end, unit_seconds, unit, unit_price, full_price, currency,
              invoice_id, correction_id)
          SELECT *, :correction::bigint FROM unnest(%s, :invoice::text[]::bigint[])"""
              .formatted(COLUMNS));

  private static final NamedSql SESSION_WATERMARKS =
      NamedSql.of(
          """
          UPDATE billing_sessions s SET rated_until = w.rated_until,
              settled = s.settled OR s.ended_at IS NOT NULL AND w.rated_until >= s.ended_at
          FROM unnest(:session::text[], :to::text[]::timestamptz[]) AS w(session_id, rated_until)
          WHERE s.session_id = w.session_id""");

  private static final NamedSql STORAGE_WATERMARKS =
      NamedSql.of(
          """
          UPDATE billing_accounts a SET storage_rated_until = w.rated_until
          FROM unnest(:org::text[], :to::text[]::timestamptz[]) AS w(user_id, rated_until)
          WHERE a.user_id = w.user_id""");

  private CorrectedRecords() {}

  /**
   * Writes the changes: each into its finalized invoice's corrections when {@code invoiceOf}
   * answers one for it, else as a usage record of run {@code run}.
   */
  static void write(
      Connection connection,
      long correctionId,
      long run,
      Instant now,
      List<RatedSlice> deltas,
      Map<RatedSlice, Long> invoiceOf)
      throws SQLException {
    List<RatedSlice> open = new ArrayList<>();
    List<RatedSlice> invoiced = new ArrayList<>();
    deltas.forEach(d -> (invoiceOf.containsKey(d) ? invoiced : open).add(d));
    if (!open.isEmpty()) {
      columns(RECORDS, connection, open)
          .bind("now", now)
          .bind("run", run)
          .bind("correction", correctionId)
          .update(connection);
    }
    if (!invoiced.isEmpty()) {
      columns(INVOICED, connection, invoiced)
          .bind("invoice", SqlArrays.array(connection, invoiced, invoiceOf::get))
          .bind("correction", correctionId)
          .update(connection);
    }
  }

  /** Moves the watermarks the correction rated past. */
  static void move(Connection connection, List<Watermark> watermarks) throws SQLException {
    List<Watermark> sessions = watermarks.stream().filter(w -> !w.sessionId().isEmpty()).toList();
    List<Watermark> storage = watermarks.stream().filter(w -> w.sessionId().isEmpty()).toList();
    if (!sessions.isEmpty()) {
      SESSION_WATERMARKS
          .bind("session", SqlArrays.array(connection, sessions, Watermark::sessionId))
          .bind("to", SqlArrays.array(connection, sessions, Watermark::to))
          .update(connection);
    }
    if (!storage.isEmpty()) {
      STORAGE_WATERMARKS
          .bind("org", SqlArrays.array(connection, storage, Watermark::orgId))
          .bind("to", SqlArrays.array(connection, storage, Watermark::to))
          .update(connection);
    }
  }

  private static NamedSql.Binding columns(
      NamedSql statement, Connection connection, List<RatedSlice> rows) throws SQLException {
    return statement
        .bind("org", SqlArrays.array(connection, rows, RatedSlice::orgId))
        .bind("session", SqlArrays.array(connection, rows, RatedSlice::sessionId))
        .bind("resource", SqlArrays.array(connection, rows, RatedSlice::resourceType))
        .bind("activity", SqlArrays.array(connection, rows, RatedSlice::activity))
        .bind("slice_start", SqlArrays.array(connection, rows, RatedSlice::sliceStart))
        .bind("slice_end", SqlArrays.array(connection, rows, RatedSlice::sliceEnd))
        .bind("unit_seconds", SqlArrays.array(connection, rows, RatedSlice::unitSeconds))
        .bind("unit", SqlArrays.array(connection, rows, RatedSlice::unit))
        .bind("unit_price", SqlArrays.array(connection, rows, RatedSlice::unitPrice))
        .bind("full_price", SqlArrays.array(connection, rows, RatedSlice::fullPrice))
        .bind("currency", SqlArrays.array(connection, rows, RatedSlice::currency));
  }
}
