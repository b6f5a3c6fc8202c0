package io.streamspace.billing.corrections;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.rating.Rerating;
import io.streamspace.billing.rating.Rerating.RatedSlice;
import io.streamspace.common.db.Sql;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a correction adds to or takes from each slice it rates again: the slice's usage under the
 * corrected history ({@link Rerating}) less what its usage records and earlier corrections' hold,
 * per slice key (session, resource, activity, slice start), signed, at the unit price the slice
 * was rated at (a slice rated for the first time: at the rates in effect). Read in the caller's
 * transaction, writing nothing.
 */
final class UsageDeltas {

  // what the subjects' slices hold now: their usage records (rated, and earlier corrections' of
  // periods not invoiced then) and earlier corrections' of invoiced periods, each key's price its
  // first row's (the rated record's)
  private static final NamedSql HELD =
      NamedSql.of(
          """
          SELECT r.user_id, r.session_id, r.resource_type, r.activity, r.slice_start,
                 max(r.slice_end), sum(r.unit_seconds), min(r.unit),
                 (array_agg(r.unit_price ORDER BY r.correction_id))[1],
                 (array_agg(r.full_price ORDER BY r.correction_id))[1], min(trim(r.currency))
          FROM unnest(:org::text[], :session::text[], :from::text[]::timestamptz[],
                      :to::text[]::timestamptz[]) AS s(user_id, session_id, from_t, to_t)
          CROSS JOIN LATERAL (
            SELECT u.user_id, u.session_id, u.resource_type, u.activity, u.slice_start,
                   u.slice_end, u.unit_seconds, u.unit, u.unit_price, u.full_price, u.currency,
                   u.correction_id
            FROM billing_usage_records u
            WHERE u.user_id = s.user_id AND u.slice_start >= s.from_t AND u.slice_start < s.to_t
              AND u.session_id = s.session_id
            UNION ALL
            SELECT c.user_id, c.session_id, c.resource_type, c.activity, c.slice_start,
                   c.slice_end, c.unit_seconds, c.unit, c.unit_price, c.full_price, c.currency,
                   c.correction_id
            FROM billing_correction_usage c
            WHERE c.user_id = s.user_id AND c.slice_start >= s.from_t AND c.slice_start < s.to_t
              AND c.session_id = s.session_id) r
          GROUP BY 1, 2, 3, 4, 5""");

  private record Key(
      String orgId, String sessionId, String resourceType, String activity, java.time.Instant at) {
    static Key of(RatedSlice s) {
      return new Key(s.orgId(), s.sessionId(), s.resourceType(), s.activity(), s.sliceStart());
    }
  }

  private UsageDeltas() {}

  /**
   * The changes of the subjects' slices, each as a usage record would hold it (signed), those
   * that change nothing left out.
   */
  static List<RatedSlice> of(
      Connection connection, List<Rerating.Subject> subjects, List<RatedSlice> corrected)
      throws SQLException {
    Map<Key, RatedSlice> held = held(connection, subjects);
    Map<Key, RatedSlice> is = new LinkedHashMap<>();
    corrected.forEach(s -> is.put(Key.of(s), s));
    List<RatedSlice> deltas = new ArrayList<>();
    is.forEach(
        (key, now) -> {
          RatedSlice was = held.remove(key);
          BigDecimal change =
              now.unitSeconds().subtract(was == null ? BigDecimal.ZERO : was.unitSeconds());
          if (change.signum() != 0) {
            deltas.add(with(was == null ? now : was, change));
          }
        });
    held.forEach(
        (key, was) -> {
          if (was.unitSeconds().signum() != 0) {
            deltas.add(with(was, was.unitSeconds().negate()));
          }
        });
    return deltas;
  }

  private static RatedSlice with(RatedSlice priced, BigDecimal unitSeconds) {
    return new RatedSlice(
        priced.orgId(),
        priced.sessionId(),
        priced.resourceType(),
        priced.activity(),
        priced.sliceStart(),
        priced.sliceEnd(),
        unitSeconds,
        priced.unit(),
        priced.unitPrice(),
        priced.fullPrice(),
        priced.currency());
  }

  private static Map<Key, RatedSlice> held(Connection connection, List<Rerating.Subject> subjects)
      throws SQLException {
    Map<Key, RatedSlice> held = new LinkedHashMap<>();
    if (subjects.isEmpty()) {
      return held;
    }
    try (PreparedStatement statement =
            HELD.bind("org", SqlArrays.array(connection, subjects, Rerating.Subject::orgId))
                .bind("session", SqlArrays.array(connection, subjects, Rerating.Subject::sessionId))
                .bind("from", SqlArrays.array(connection, subjects, Rerating.Subject::from))
                .bind("to", SqlArrays.array(connection, subjects, Rerating.Subject::to))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        RatedSlice slice =
            new RatedSlice(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                Sql.instant(rs.getTimestamp(5)),
                Sql.instant(rs.getTimestamp(6)),
                rs.getBigDecimal(7),
                rs.getString(8),
                rs.getBigDecimal(9),
                rs.getBigDecimal(10),
                rs.getString(11));
        held.put(Key.of(slice), slice);
      }
    }
    return held;
  }
}
