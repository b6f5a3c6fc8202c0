package io.streamspace.billing.rating;

import io.streamspace.billing.db.NamedSql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Reads a team account's rated usage per member: whose sessions its records are of. */
public final class MemberUsageRepository {

  private static final NamedSql TEAM =
      NamedSql.of("SELECT NOT personal FROM billing_accounts WHERE user_id = :user_id");

  // the member of a record is the user who ran its session; a storage record (session_id '')
  // has none. Summed as UsageRecordRepository sums an account's records, in the same order,
  // then by member (nulls, the organization's, last); through the daily rollup (its key's range
  // of the account's days), the account's records rated since (the runs index) and those of the
  // range's partial days (the primary key)
  // with the usage corrections made after the period's invoice keep beside it (V86), each its
  // session's member's, as UsageRecordRepository reads the usage as corrected (a line the
  // corrections took wholly off left out)
  private static final NamedSql MEMBER_SUMS =
      NamedSql.of(
          """
          SELECT r.member_id, %s
          FROM (SELECT r.member_id, r.resource_type, r.unit_price, r.activity, r.unit_seconds,
                       r.saved_unit_seconds
                FROM %s
                UNION ALL
                SELECT s.user_id, c.resource_type, c.unit_price, c.activity, c.unit_seconds,
                       %s
                FROM billing_correction_usage c
                LEFT JOIN LATERAL (
                  SELECT s.user_id FROM billing_sessions s
                  WHERE c.session_id <> '' AND s.session_id = c.session_id LIMIT 1) s ON true
                WHERE c.user_id = :user_id AND c.slice_start >= :from AND c.slice_start < :to) r
          GROUP BY %4$s, r.member_id
          HAVING sum(r.unit_seconds) <> 0
          ORDER BY %4$s, r.member_id
          """
              .formatted(
                  UsageRecordRepository.SUMMED,
                  UsageRollup.source(true, UsageRollup.Accounts.ONE),
                  UsageRollup.saved("c"),
                  UsageRecordRepository.LINE));

  private final DataSource dataSource;

  public MemberUsageRepository(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Whether the account is a team organization's (not a user's personal one), whose usage is
   * broken down by member; false for an account that does not exist. In the caller's
   * transaction (an invoice's finalization).
   */
  public static boolean isTeam(Connection connection, String orgId) throws SQLException {
    try (PreparedStatement statement = TEAM.bind("user_id", orgId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      return rs.next() && rs.getBoolean(1);
    }
  }

  /**
   * The account's usage whose slice starts in {@code [from, to)}, as corrected, summed exactly per
   * resource type, unit price and member, in one statement.
   *
   * @param zone the billing zone, whose days the daily rollup is of
   */
  public List<MemberSum> sums(String orgId, Instant from, Instant to, ZoneId zone)
      throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            MEMBER_SUMS
                .bind("user_id", orgId)
                .bind("from", from)
                .bind("to", to)
                .bind("zone", zone.getId())
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      List<MemberSum> sums = new ArrayList<>();
      while (rs.next()) {
        sums.add(new MemberSum(rs.getString("member_id"), UsageRecordRepository.sum(rs)));
      }
      return sums;
    }
  }
}
