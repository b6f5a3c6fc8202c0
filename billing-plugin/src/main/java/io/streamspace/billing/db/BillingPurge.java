package io.streamspace.billing.db;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Drops every object of the plugin's schema, found in the database's catalog rather than listed:
 * everything in the current schema named {@code billing_...} (views, tables with their indexes,
 * triggers and sequences, other sequences, functions, types, and the Flyway history {@code
 * billing_schema_history}), so that an object a new migration adds is never forgotten. Every
 * migration names its objects so (BillingPurgeTest checks it); another plugin must not name its
 * objects {@code billing_...}. Objects of extensions the migrations create ({@code btree_gist})
 * are not the plugin's and stay, as the host or another plugin may use them.
 *
 * <p>Nothing is dropped with CASCADE, so nothing outside the plugin is: each kind is dropped in
 * one statement listing them all (PostgreSQL allows the listed objects to depend on each other),
 * in dependency order. An object that is not billing's and depends on one that is (another
 * plugin's view over a billing table, a foreign key to one, a column typed with a billing type)
 * makes the drop fail with PostgreSQL's {@code dependent_objects_still_exist} (SQLState {@value
 * #DEPENDENT_OBJECTS_STILL_EXIST}), whose detail names it; the host's transaction then rolls
 * everything back.
 */
public final class BillingPurge {

  /** PostgreSQL's SQLState when a drop without CASCADE finds a dependent object. */
  public static final String DEPENDENT_OBJECTS_STILL_EXIST = "2BP01";

  // Objects that are part of another (an extension's members, a range type's constructors) go
  // with it, whatever their name.
  private static final String NOT_PART_OF_ANOTHER =
      """
      NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = '%s'::regclass AND d.objid = o.oid
                    AND d.deptype IN ('e', 'i'))""";

  private static final String RELATIONS =
      """
      SELECT quote_ident(o.relname)
      FROM pg_class o
      WHERE o.relnamespace = current_schema()::regnamespace AND o.relname LIKE 'billing\\_%%'
        AND o.relkind IN (%s) AND NOT o.relispartition AND %s""";

  private static final String ROUTINES =
      """
      SELECT o.oid::regprocedure::text
      FROM pg_proc o
      WHERE o.pronamespace = current_schema()::regnamespace AND o.proname LIKE 'billing\\_%%'
        AND %s"""
          .formatted(NOT_PART_OF_ANOTHER.formatted("pg_proc"));

  // Enums, domains, ranges and composite types made by CREATE TYPE (not a table's row type).
  private static final String TYPES =
      """
      SELECT quote_ident(o.typname)
      FROM pg_type o LEFT JOIN pg_class c ON c.oid = o.typrelid
      WHERE o.typnamespace = current_schema()::regnamespace AND o.typname LIKE 'billing\\_%%'
        AND (o.typtype IN ('e', 'd', 'r') OR c.relkind = 'c') AND %s"""
          .formatted(NOT_PART_OF_ANOTHER.formatted("pg_type"));

  /** A kind of object, dropped in one statement; each found once the earlier kinds are gone. */
  private record Kind(String keyword, String catalogQuery) {}

  // Dependency order: what may use a later kind comes first. Tables take their indexes, triggers,
  // column defaults and owned sequences with them, so the sequences left are the free-standing.
  private static final List<Kind> IN_DROP_ORDER =
      List.of(
          new Kind("VIEW", relations("'v'")),
          new Kind("MATERIALIZED VIEW", relations("'m'")),
          new Kind("TABLE", relations("'r', 'p'")),
          new Kind("SEQUENCE", relations("'S'")),
          new Kind("ROUTINE", ROUTINES),
          new Kind("TYPE", TYPES));

  private BillingPurge() {}

  private static String relations(String relkinds) {
    return RELATIONS.formatted(relkinds, NOT_PART_OF_ANOTHER.formatted("pg_class"));
  }

  /**
   * Drops them all on {@code connection}, in its transaction.
   *
   * @throws SQLException with SQLState {@value #DEPENDENT_OBJECTS_STILL_EXIST} when an object
   *     that is not billing's depends on one that is (nothing is dropped once the host's
   *     transaction is rolled back)
   */
  public static void dropEverything(Connection connection) throws SQLException {
    for (Kind kind : IN_DROP_ORDER) {
      List<String> names = names(connection, kind.catalogQuery());
      if (!names.isEmpty()) {
        try (Statement statement = connection.createStatement()) {
          statement.execute("DROP " + kind.keyword() + " " + String.join(", ", names));
        }
      }
    }
  }

  private static List<String> names(Connection connection, String catalogQuery)
      throws SQLException {
    List<String> names = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet objects = statement.executeQuery(catalogQuery)) {
      while (objects.next()) {
        names.add(objects.getString(1));
      }
    }
    return names;
  }
}
