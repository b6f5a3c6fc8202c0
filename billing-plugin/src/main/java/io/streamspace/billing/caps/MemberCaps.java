package io.streamspace.billing.caps;

import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.common.db.Sql;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Member caps as stored: {@code billing_member_caps}, one row per (organization, member), a
 * column per capped meter (null: not capped). Setting a cap replaces the member's previous one
 * whole; setting the same cap again changes nothing (its {@code set_by} and {@code set_at} stay
 * the first's), so a retried PUT leaves what the first did.
 */
public final class MemberCaps {

  private static final NamedSql SET =
      NamedSql.of(
          """
          INSERT INTO billing_member_caps
              (org_id, user_id, active_sessions, cpu_cores, memory_gb, set_by, set_at)
          VALUES (:org_id, :user_id, CAST(:active_sessions AS integer),
                  CAST(:cpu_cores AS numeric), CAST(:memory_gb AS numeric), :set_by, :set_at)
          ON CONFLICT (org_id, user_id) DO UPDATE SET
              active_sessions = excluded.active_sessions, cpu_cores = excluded.cpu_cores,
              memory_gb = excluded.memory_gb, set_by = excluded.set_by, set_at = excluded.set_at
          -- the same cap again (a retried PUT) changes nothing, not even who set it when
          WHERE (billing_member_caps.active_sessions, billing_member_caps.cpu_cores,
                 billing_member_caps.memory_gb)
                IS DISTINCT FROM
                (excluded.active_sessions, excluded.cpu_cores, excluded.memory_gb)""");

  private static final NamedSql REMOVE =
      NamedSql.of("DELETE FROM billing_member_caps WHERE org_id = :org_id AND user_id = :user_id");

  private static final String COLUMNS =
      "org_id, user_id, active_sessions, cpu_cores, memory_gb, set_by, set_at";

  private static final NamedSql OF_ORG =
      NamedSql.of(
          "SELECT "
              + COLUMNS
              + " FROM billing_member_caps WHERE org_id = :org_id"
              + " ORDER BY user_id");

  private static final NamedSql OF_MEMBER =
      NamedSql.of(
          "SELECT "
              + COLUMNS
              + " FROM billing_member_caps"
              + " WHERE org_id = :org_id AND user_id = :user_id");

  /** The caps of the organizations admission loads (its primary key leads with org_id). */
  private static final NamedSql OF_ORGS =
      NamedSql.of(
          "SELECT " + COLUMNS + " FROM billing_member_caps WHERE org_id = ANY(:org_ids::text[])");

  private final DataSource dataSource;

  public MemberCaps(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Stores the cap, replacing the member's previous one; answers the cap as stored. */
  public MemberCap set(MemberCap cap) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      SET.bind("org_id", cap.orgId())
          .bind("user_id", cap.userId())
          .bind(
              "active_sessions",
              Optional.ofNullable(cap.limits().get(Meter.ACTIVE_SESSIONS))
                  .map(BigDecimal::intValueExact)
                  .orElse(null))
          .bind("cpu_cores", cap.limits().get(Meter.CPU_CORES))
          .bind("memory_gb", cap.limits().get(Meter.MEMORY_GB))
          .bind("set_by", cap.setBy())
          .bind("set_at", cap.setAt())
          .update(connection);
      return of(connection, cap.orgId(), cap.userId()).orElseThrow();
    }
  }

  private static Optional<MemberCap> of(Connection connection, String orgId, String userId)
      throws SQLException {
    try (PreparedStatement statement =
            OF_MEMBER.bind("org_id", orgId).bind("user_id", userId).prepare(connection);
        ResultSet rows = statement.executeQuery()) {
      return rows.next() ? Optional.of(cap(rows)) : Optional.empty();
    }
  }

  /** Removes the member's cap; whether there was one. */
  public boolean remove(String orgId, String userId) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return REMOVE.bind("org_id", orgId).bind("user_id", userId).update(connection) > 0;
    }
  }

  /** The organization's caps, by member id. */
  public List<MemberCap> of(String orgId) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = OF_ORG.bind("org_id", orgId).prepare(connection);
        ResultSet rows = statement.executeQuery()) {
      List<MemberCap> caps = new ArrayList<>();
      while (rows.next()) {
        caps.add(cap(rows));
      }
      return caps;
    }
  }

  /**
   * The caps of {@code orgIds}, by organization then member, read on the caller's connection
   * (admission reads them in the snapshot of the rest of its view).
   */
  public static Map<String, Map<String, Map<Meter, BigDecimal>>> ofOrganizations(
      Connection connection, String[] orgIds) throws SQLException {
    Map<String, Map<String, Map<Meter, BigDecimal>>> byOrg = new HashMap<>();
    try (PreparedStatement statement = OF_ORGS.bind("org_ids", orgIds).prepare(connection);
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        MemberCap cap = cap(rows);
        byOrg.computeIfAbsent(cap.orgId(), org -> new HashMap<>()).put(cap.userId(), cap.limits());
      }
    }
    return byOrg;
  }

  private static MemberCap cap(ResultSet row) throws SQLException {
    Map<Meter, BigDecimal> limits = new LinkedHashMap<>();
    int sessions = row.getInt("active_sessions");
    if (!row.wasNull()) {
      limits.put(Meter.ACTIVE_SESSIONS, BigDecimal.valueOf(sessions));
    }
    BigDecimal cores = row.getBigDecimal("cpu_cores");
    if (cores != null) {
      limits.put(Meter.CPU_CORES, cores);
    }
    BigDecimal memory = row.getBigDecimal("memory_gb");
    if (memory != null) {
      limits.put(Meter.MEMORY_GB, memory);
    }
    return new MemberCap(
        row.getString("org_id"),
        row.getString("user_id"),
        limits,
        row.getString("set_by"),
        Sql.instant(row.getTimestamp("set_at")));
  }
}
