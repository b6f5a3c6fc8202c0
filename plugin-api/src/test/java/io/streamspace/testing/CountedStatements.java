package io.streamspace.testing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;

/**
 * A data source that records each statement run through it (its SQL, once per execution), so
 * that a test can count the statements some work issues: a statement run per event shows as a
 * count that grows with the events.
 */
public final class CountedStatements {

  private final DataSource dataSource;
  private final List<String> executed = new CopyOnWriteArrayList<>();

  public CountedStatements(DataSource counted) {
    this.dataSource = proxy(DataSource.class, counted, null);
  }

  /** The data source to hand the code under test. */
  public DataSource dataSource() {
    return dataSource;
  }

  /** The SQL of each statement run since the last {@link #clear()}, in the order they ran. */
  public List<String> executed() {
    return List.copyOf(executed);
  }

  public void clear() {
    executed.clear();
  }

  /**
   * {@code target} behind {@code type}: what it returns of JDBC's is wrapped in turn, and each
   * execution is recorded with the SQL it was prepared with ({@code sql}) or given.
   */
  private <T> T proxy(Class<T> type, T target, String sql) {
    InvocationHandler handler =
        (proxy, method, args) -> {
          if (target instanceof Statement && method.getName().startsWith("execute")) {
            executed.add(args != null && args[0] instanceof String given ? given : sql);
          }
          Object result = invoke(method, target, args);
          return wrapped(method, result, args);
        };
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
  }

  private Object wrapped(Method method, Object result, Object[] args) {
    String name = method.getName();
    if (result instanceof Connection connection && name.equals("getConnection")) {
      return proxy(Connection.class, connection, null);
    }
    if (result instanceof CallableStatement call && name.equals("prepareCall")) {
      return proxy(CallableStatement.class, call, (String) args[0]);
    }
    if (result instanceof PreparedStatement prepared && name.equals("prepareStatement")) {
      return proxy(PreparedStatement.class, prepared, (String) args[0]);
    }
    if (result instanceof Statement statement && name.equals("createStatement")) {
      return proxy(Statement.class, statement, null);
    }
    return result;
  }

  private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
