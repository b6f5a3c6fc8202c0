package io.streamspace.billing.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A statement with named parameters ({@code :name}), parsed once: keep it in a static constant,
 * so that a call only binds. A name may stand several times; every use gets its value. What is
 * not a parameter is left as it is: PostgreSQL's casts ({@code ::type}), string literals
 * ({@code ''} escapes, and backslashes in {@code E'...'}), quoted identifiers, dollar-quoted text
 * and comments. A positional {@code ?} is refused, so one statement never mixes the two styles
 * (nor can PostgreSQL's {@code ?} operators be used: their functions can). An array slice whose
 * bounds are names puts spaces around its colon ({@code a[lo : hi]}).
 *
 * <pre>{@code
 * static final NamedSql FLOOR = NamedSql.of("SELECT min(t) FROM x WHERE user_id = :user_id");
 * try (PreparedStatement s = FLOOR.bind("user_id", orgId).prepare(connection)) { ... }
 * }</pre>
 *
 * Values are bound with {@code setObject}; instants as {@code timestamptz}.
 */
public final class NamedSql {

  private final String jdbcSql;
  private final List<String> names;
  private final Map<String, Integer> indexes;
  private final int[] uses; // for each ? of jdbcSql, the index of its name

  private NamedSql(String jdbcSql, List<String> names, int[] uses) {
    this.jdbcSql = jdbcSql;
    this.names = List.copyOf(names);
    this.uses = uses;
    this.indexes = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      indexes.put(names.get(i), i);
    }
  }

  /**
   * Parses {@code sql}.
   *
   * @throws IllegalArgumentException when it has a positional {@code ?}
   */
  public static NamedSql of(String sql) {
    StringBuilder jdbc = new StringBuilder(sql.length());
    List<String> names = new ArrayList<>();
    List<Integer> uses = new ArrayList<>();
    int i = 0;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      int end = skipped(sql, i);
      if (end > i) {
        jdbc.append(sql, i, end);
        i = end;
      } else if (c == ':' && i + 1 < sql.length() && isNameStart(sql.charAt(i + 1))) {
        end = i + 2;
        while (end < sql.length() && isNamePart(sql.charAt(end))) {
          end++;
        }
        String name = sql.substring(i + 1, end);
        if (!names.contains(name)) {
          names.add(name);
        }
        uses.add(names.indexOf(name));
        jdbc.append('?');
        i = end;
      } else if (c == '?') {
        throw new IllegalArgumentException(
            "a positional ? at offset " + i + " of a statement with named parameters");
      } else {
        jdbc.append(c);
        i++;
      }
    }
    return new NamedSql(
        jdbc.toString(), names, uses.stream().mapToInt(Integer::intValue).toArray());
  }

  /**
   * Where the text that is no parameter and starts at {@code start} ends: a cast's {@code ::},
   * a literal, a quoted identifier, a comment; {@code start} itself when none starts there.
   */
  private static int skipped(String sql, int start) {
    char c = sql.charAt(start);
    char next = start + 1 < sql.length() ? sql.charAt(start + 1) : 0;
    if (c == ':' && next == ':') {
      return start + 2;
    }
    if (c == '\'') {
      boolean escapes =
          start > 0
              && Character.toUpperCase(sql.charAt(start - 1)) == 'E'
              && (start < 2 || !isIdentifierPart(sql.charAt(start - 2)));
      return quoted(sql, start, '\'', escapes);
    }
    if (c == '"') {
      return quoted(sql, start, '"', false);
    }
    if (c == '-' && next == '-') {
      int newline = sql.indexOf('\n', start);
      return newline < 0 ? sql.length() : newline + 1;
    }
    if (c == '/' && next == '*') {
      return blockCommentEnd(sql, start);
    }
    if (c == '$' && (start == 0 || !isIdentifierPart(sql.charAt(start - 1)))) {
      return dollarQuotedEnd(sql, start);
    }
    return start;
  }

  /** The end of the literal or identifier opened at {@code start} (a doubled quote stays in). */
  private static int quoted(String sql, int start, char quote, boolean backslashEscapes) {
    int i = start + 1;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      if (backslashEscapes && c == '\\') {
        i += 2;
      } else if (c == quote) {
        return i + 1; // a doubled quote reopens at once: the caller sees a second literal
      } else {
        i++;
      }
    }
    return sql.length();
  }

  private static int blockCommentEnd(String sql, int start) {
    int depth = 0; // PostgreSQL's block comments nest
    int i = start;
    while (i < sql.length()) {
      if (sql.startsWith("/*", i)) {
        depth++;
        i += 2;
      } else if (sql.startsWith("*/", i)) {
        i += 2;
        if (--depth == 0) {
          return i;
        }
      } else {
        i++;
      }
    }
    return sql.length();
  }

  /** The end of {@code $tag$...$tag$} opened at {@code start}; {@code start} when none is. */
  private static int dollarQuotedEnd(String sql, int start) {
    int i = start + 1;
    while (i < sql.length() && isNamePart(sql.charAt(i))) {
      i++;
    }
    if (i >= sql.length() || sql.charAt(i) != '$' || Character.isDigit(sql.charAt(start + 1))) {
      return start; // not a dollar quote ($1, or a $ inside a name)
    }
    String tag = sql.substring(start, i + 1);
    int close = sql.indexOf(tag, i + 1);
    return close < 0 ? sql.length() : close + tag.length();
  }

  private static boolean isNameStart(char c) {
    return Character.isLetter(c) || c == '_';
  }

  private static boolean isNamePart(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }

  /** PostgreSQL's identifiers may also hold dollar signs. */
  private static boolean isIdentifierPart(char c) {
    return isNamePart(c) || c == '$';
  }

  /** The statement as JDBC takes it: a {@code ?} for every use of a parameter. */
  public String jdbcSql() {
    return jdbcSql;
  }

  /** The parameters' names, each once, in the order they first appear. */
  public List<String> names() {
    return names;
  }

  /** Values for one execution, none bound yet. */
  public Binding binding() {
    return new Binding();
  }

  /** Values for one execution, starting with {@code value} for every use of {@code :name}. */
  public Binding bind(String name, Object value) {
    return binding().bind(name, value);
  }

  /** A statement without parameters, prepared; the caller closes it. */
  public PreparedStatement prepare(Connection connection) throws SQLException {
    return binding().prepare(connection);
  }

  /** Runs a statement without parameters; answers the rows it touched. */
  public int update(Connection connection) throws SQLException {
    return binding().update(connection);
  }

  /** The values of one execution; every parameter must be bound before it runs. */
  public final class Binding {

    private final Object[] values = new Object[names.size()];
    private final boolean[] bound = new boolean[names.size()];

    private Binding() {}

    /**
     * Binds {@code value} to every use of {@code :name}.
     *
     * @throws IllegalArgumentException when the statement has no such parameter
     */
    public Binding bind(String name, Object value) {
      Integer index = indexes.get(name);
      if (index == null) {
        throw new IllegalArgumentException(
            "the statement has no parameter :" + name + " (it has " + listed() + ")");
      }
      // pgjdbc has no mapping for Instant; a Timestamp is an instant to it
      values[index] = value instanceof Instant instant ? Timestamp.from(instant) : value;
      bound[index] = true;
      return this;
    }

    /**
     * The statement prepared with these values; the caller closes it.
     *
     * @throws IllegalStateException when a parameter is not bound
     */
    public PreparedStatement prepare(Connection connection) throws SQLException {
      requireAllBound();
      PreparedStatement statement = connection.prepareStatement(jdbcSql);
      try {
        setValues(statement);
        return statement;
      } catch (SQLException | RuntimeException e) {
        statement.close();
        throw e;
      }
    }

    /** Runs the statement; answers the rows it touched. */
    public int update(Connection connection) throws SQLException {
      try (PreparedStatement statement = prepare(connection)) {
        return statement.executeUpdate();
      }
    }

    /** Sets these values on {@code statement}, prepared from {@link #jdbcSql}, as a batch row. */
    public void addBatch(PreparedStatement statement) throws SQLException {
      requireAllBound();
      setValues(statement);
      statement.addBatch();
    }

    private void requireAllBound() {
      for (int i = 0; i < bound.length; i++) {
        if (!bound[i]) {
          throw new IllegalStateException("parameter :" + names.get(i) + " is not bound");
        }
      }
    }

    private void setValues(PreparedStatement statement) throws SQLException {
      for (int i = 0; i < uses.length; i++) {
        statement.setObject(i + 1, values[uses[i]]);
      }
    }

    private String listed() {
      return names.isEmpty() ? "none" : ":" + String.join(", :", names);
    }
  }
}
