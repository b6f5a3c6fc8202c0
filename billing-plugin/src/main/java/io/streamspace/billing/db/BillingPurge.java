package io.streamspace.billing.db;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Drops every object of the plugin's schema, found in the database's catalog rather than listed:
 * everything in the current schema named {@code billing_...} (tables with their indexes, triggers
 * and sequences, views, functions, types, and the Flyway history {@code billing_schema_history}),
 * so that an object a new migration adds is never forgotten. Every migration names its objects so
 * (BillingPurgeTest checks it); objects of extensions the migrations create ({@code btree_gist})
 * are not the plugin's and stay, as the host or another plugin may use them.
 */
public final class BillingPurge {

  // Objects that belong to an extension are the extension's, whatever their name.
  private static final String NOT_AN_EXTENSION_MEMBER =
      """
      NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = '%s'::regclass AND d.objid = o.oid AND d.deptype = 'e')""";

  private static final String RELATIONS =
      """
      SELECT CASE o.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
               WHEN 'S' THEN 'SEQUENCE' WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END,
             quote_ident(o.relname)
      FROM pg_class o
      WHERE o.relnamespace = current_schema()::regnamespace AND o.relname LIKE 'billing\\_%%'
        AND o.relkind IN ('r', 'p', 'v', 'm', 'S', 'c') AND NOT o.relispartition AND %s"""
          .formatted(NOT_AN_EXTENSION_MEMBER.formatted("pg_class"));

  private static final String ROUTINES =
      """
      SELECT 'ROUTINE', o.oid::regprocedure::text
      FROM pg_proc o
      WHERE o.pronamespace = current_schema()::regnamespace AND o.proname LIKE 'billing\\_%%'
        AND %s"""
          .formatted(NOT_AN_EXTENSION_MEMBER.formatted("pg_proc"));

  // Enums, domains and ranges; composite types are relations (above).
  private static final String TYPES =
      """
      SELECT 'TYPE', quote_ident(o.typname)
      FROM pg_type o
      WHERE o.typnamespace = current_schema()::regnamespace AND o.typname LIKE 'billing\\_%%'
        AND o.typtype IN ('e', 'd', 'r') AND %s"""
          .formatted(NOT_AN_EXTENSION_MEMBER.formatted("pg_type"));

  private BillingPurge() {}

  /**
   * Drops them all on {@code connection}, in its transaction: relations first (CASCADE takes
   * what depends on them), then the routines and types left.
   */
  public static void dropEverything(Connection connection) throws SQLException {
    for (String catalogQuery : List.of(RELATIONS, ROUTINES, TYPES)) {
      for (String drop : drops(connection, catalogQuery)) {
        try (Statement statement = connection.createStatement()) {
          statement.execute(drop);
        }
      }
    }
  }

  private static List<String> drops(Connection connection, String catalogQuery)
      throws SQLException {
    List<String> drops = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet objects = statement.executeQuery(catalogQuery)) {
      while (objects.next()) {
        // IF EXISTS: an earlier drop's CASCADE may have taken it already
        drops.add(
            "DROP %s IF EXISTS %s CASCADE".formatted(objects.getString(1), objects.getString(2)));
      }
    }
    return drops;
  }
}
