package io.streamspace.billing.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.postgresql.PGStatement;

/**
 * A data source over the test database that, while {@link #record recording}, has PostgreSQL
 * plan every query the code runs through it ({@code EXPLAIN (FORMAT JSON)} with the same
 * parameters, on the same connection and in the same transaction, just before the query runs):
 * the plans of exactly the statements a route runs, with the values it binds.
 */
public final class ExplainingDataSource {

  /** A query and the plan PostgreSQL chose for it. */
  public record Plan(String sql, JsonNode plan) {

    /** The tables of {@code tables} this plan reads with a sequential scan. */
    public List<String> seqScansOf(List<String> tables) {
      List<String> scanned = new ArrayList<>();
      collect(plan.path(0).path("Plan"), tables, scanned);
      return scanned;
    }

    /**
     * The most times a node reading {@code table} ran in this plan (its actual loops: the plan
     * must come from {@link #analyzing}); 0 when none reads it.
     */
    public long mostLoopsOn(String table) {
      return mostLoops(plan.path(0).path("Plan"), table);
    }

    private static long mostLoops(JsonNode node, String table) {
      long most =
          node.path("Relation Name").asText("").equals(table)
              ? node.path("Actual Loops").asLong()
              : 0;
      for (JsonNode child : node.path("Plans")) {
        most = Math.max(most, mostLoops(child, table));
      }
      return most;
    }

    /** The plan as an indented tree of its nodes: type, table and index, one a line. */
    public String tree() {
      StringBuilder tree = new StringBuilder();
      describe(plan.path(0).path("Plan"), "", tree);
      return tree.toString();
    }

    private static void describe(JsonNode node, String indent, StringBuilder tree) {
      tree.append(indent).append(node.path("Node Type").asText());
      if (node.has("Relation Name")) {
        tree.append(" on ").append(node.path("Relation Name").asText());
      }
      if (node.has("Index Name")) {
        tree.append(" using ").append(node.path("Index Name").asText());
      }
      tree.append(" (rows ").append(node.path("Plan Rows").asText()).append(")\n");
      for (JsonNode child : node.path("Plans")) {
        describe(child, indent + "  ", tree);
      }
    }

    private static void collect(JsonNode node, List<String> tables, List<String> scanned) {
      String relation = node.path("Relation Name").asText("");
      if (node.path("Node Type").asText("").equals("Seq Scan") && tables.contains(relation)) {
        scanned.add(relation);
      }
      for (JsonNode child : node.path("Plans")) {
        collect(child, tables, scanned);
      }
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final DataSource target;
  private final String explain;
  private final List<Plan> plans = new CopyOnWriteArrayList<>();
  private volatile Thread recording;

  public ExplainingDataSource(DataSource target) {
    this(target, "EXPLAIN (FORMAT JSON) ");
  }

  private ExplainingDataSource(DataSource target, String explain) {
    this.target = target;
    this.explain = explain;
  }

  /**
   * One that runs each query it plans ({@code EXPLAIN ANALYZE}: the query runs twice), so that
   * its plans tell what each node actually did.
   */
  public static ExplainingDataSource analyzing(DataSource target) {
    return new ExplainingDataSource(target, "EXPLAIN (ANALYZE, FORMAT JSON) ");
  }

  /** The data source to hand the code. */
  public DataSource dataSource() {
    return proxy(
        DataSource.class,
        target,
        (method, args, result) ->
            method.getName().equals("getConnection") ? connection((Connection) result) : result);
  }

  /**
   * Plans the queries this thread runs from now on (not those of the plugin's own threads),
   * forgetting those recorded before.
   */
  public void record() {
    plans.clear();
    recording = Thread.currentThread();
  }

  /** The plans recorded since {@link #record}, in the order their queries ran; stops recording. */
  public List<Plan> stop() {
    recording = null;
    return List.copyOf(plans);
  }

  private Connection connection(Connection connection) {
    return proxy(
        Connection.class,
        connection,
        (method, args, result) -> {
          if (method.getName().equals("prepareStatement") && args[0] instanceof String sql) {
            return statement((PreparedStatement) result, connection, sql);
          }
          return result;
        });
  }

  /** The statement, whose parameters are kept to be bound to its EXPLAIN too. */
  private PreparedStatement statement(
      PreparedStatement statement, Connection connection, String sql) {
    List<Object[]> settings = new ArrayList<>(); // each: the setter, then its arguments
    InvocationHandler handler =
        (proxy, method, args) -> {
          String name = method.getName();
          if (name.startsWith("set")
              && args != null
              && args.length >= 2
              && args[0] instanceof Integer) {
            settings.add(new Object[] {method, args});
          } else if (name.equals("clearParameters")) {
            settings.clear();
          } else if (recording == Thread.currentThread()
              && (name.equals("executeQuery") || name.equals("execute"))
              && (args == null || args.length == 0)
              && isQuery(sql)) {
            plans.add(new Plan(sql, explain(connection, explain + sql, settings)));
          }
          return invoke(method, statement, args);
        };
    return (PreparedStatement)
        Proxy.newProxyInstance(
            getClass().getClassLoader(), new Class<?>[] {PreparedStatement.class}, handler);
  }

  private static JsonNode explain(Connection connection, String explaining, List<Object[]> settings)
      throws Exception {
    try (PreparedStatement explain = connection.prepareStatement(explaining)) {
      // planned with the values bound every time, as each of the route's first five runs is
      // (a statement the driver has prepared on the server may be planned generically later)
      explain.unwrap(PGStatement.class).setPrepareThreshold(0);
      for (Object[] setting : settings) {
        invoke((Method) setting[0], explain, (Object[]) setting[1]);
      }
      try (ResultSet rs = explain.executeQuery()) {
        rs.next();
        return JSON.readTree(rs.getString(1));
      }
    }
  }

  /** Whether the statement reads only (it starts with SELECT or WITH, after any comment). */
  private static boolean isQuery(String sql) {
    String text = sql.strip();
    while (text.startsWith("--")) {
      int newline = text.indexOf('\n');
      text = newline < 0 ? "" : text.substring(newline + 1).strip();
    }
    String start = text.toUpperCase(Locale.ROOT);
    return (start.startsWith("SELECT") || start.startsWith("WITH"))
        && !start.contains("INSERT ")
        && !start.contains("UPDATE ")
        && !start.contains("DELETE ");
  }

  /** What a proxied call answers, given what the real one did. */
  private interface After {
    Object apply(Method method, Object[] args, Object result) throws Exception;
  }

  private <T> T proxy(Class<T> type, T target, After after) {
    return type.cast(
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {type},
            (proxy, method, args) -> after.apply(method, args, invoke(method, target, args))));
  }

  private static Object invoke(Method method, Object target, Object[] args) throws Exception {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }
}
