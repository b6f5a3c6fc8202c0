package io.streamspace.billing.db;

import io.streamspace.common.db.Transactions;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Work over more rows than one transaction should hold, done a page at a time: each page in a
 * transaction of its own, pages after pages until one comes up short of a full page (the rows
 * left were all in it).
 */
public final class Pages {

  /** What one page did: how many rows it read (a full page means more may be left), and did. */
  public record Page(int read, int done) {}

  /** One page's work, on a connection whose transaction {@link #untilShort} owns. */
  @FunctionalInterface
  public interface Work {
    Page apply(Connection connection) throws SQLException;
  }

  private Pages() {}

  /**
   * Runs {@code work} a page at a time until a page reads fewer than {@code size} rows.
   *
   * @return what the pages did, summed
   */
  public static int untilShort(DataSource dataSource, int size, Work work) throws SQLException {
    int done = 0;
    while (true) {
      Page page = Transactions.inTransaction(dataSource, work::apply);
      done += page.done();
      if (page.read() < size) {
        return done;
      }
    }
  }
}
