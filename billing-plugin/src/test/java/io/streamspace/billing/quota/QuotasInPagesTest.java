package io.streamspace.billing.quota;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.ExplainingDataSource;
import io.streamspace.billing.support.TestDatabase;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * check-quotas reads every account's quota a page at a time (so a run holds one page in memory):
 * each account comes once, in user id order, judged as {@link Quotas#all} judges it.
 */
class QuotasInPagesTest {

  private final BillingHarness billing = new BillingHarness(at("2026-03-10T12:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  /**
   * Five accounts in pages of two: pages of 2, 2 and 1, each account once, as all() has them, with
   * a pause between two pages (given how long the page before took) and none after the last.
   */
  @Test
  void everyAccountComesOnceInUserIdOrder_inPagesOfTheSizeAsked_pausingBetweenThem()
      throws Exception {
    for (String user : List.of("u3", "u1", "u5", "u2", "u4")) {
      billing.userCreated(user, Map.of());
    }
    // u2 holds 1.8 GB of free's 2 GB hard storage: 90 %, a warning
    billing.created("2026-03-10T12:00:00Z", "s1", "u2", size("1", "1", "1.8"));
    billing.flush();
    Quotas quotas =
        new Quotas(
            new QuotaReadings(TestDatabase.dataSource()), BillingConfig::defaults, billing.clock);

    List<Integer> sizes = new ArrayList<>();
    List<AccountQuota> read = new ArrayList<>();
    List<String> steps = new ArrayList<>();
    quotas.inPages(
        2,
        took -> steps.add("pause after " + sizes.size() + (took.isNegative() ? " (<0)" : "")),
        page -> {
          sizes.add(page.size());
          read.addAll(page);
          steps.add("page of " + page.size());
        });

    assertEquals(List.of(2, 2, 1), sizes);
    assertEquals(
        List.of("page of 2", "pause after 1", "page of 2", "pause after 2", "page of 1"), steps);
    assertEquals(
        List.of("u1", "u2", "u3", "u4", "u5"), read.stream().map(AccountQuota::orgId).toList());
    assertEquals(quotas.all(), read);
  }

  /**
   * A page costs its own accounts' reads, however many accounts come after it: 400 accounts with
   * storage, read in pages of 10, each page looks up at most 10 accounts' storage, whatever plan
   * PostgreSQL picks (here told not to walk an index in key order, as statistics from before a
   * wave of sign-ups once led it not to: it then read every account after the page's start and
   * kept the first 10, and a run over 100,000 accounts took minutes).
   */
  @Test
  void aPageReadsItsOwnAccounts_notEveryAccountAfterIt() throws Exception {
    for (int i = 0; i < 400; i++) {
      billing.userCreated("u%03d".formatted(i), Map.of());
      billing.created("2026-03-10T11:00:00Z", "s" + i, "u%03d".formatted(i), size("1", "1", "1"));
    }
    billing.flush();
    try (Connection connection = TestDatabase.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      try (Statement statement = connection.createStatement()) {
        statement.execute("SET LOCAL enable_indexscan = off");
      }
      ExplainingDataSource explaining = ExplainingDataSource.analyzing(onlyThrough(connection));
      Quotas quotas =
          new Quotas(
              new QuotaReadings(explaining.dataSource()), BillingConfig::defaults, billing.clock);
      List<Integer> sizes = new ArrayList<>();
      explaining.record();
      quotas.inPages(10, took -> {}, page -> sizes.add(page.size()));
      List<ExplainingDataSource.Plan> pages =
          explaining.stop().stream()
              .filter(plan -> plan.sql().contains("LIMIT") && plan.sql().contains("a.user_id"))
              .toList();
      connection.rollback();

      assertEquals(List.of(10), sizes.stream().distinct().toList());
      assertEquals(40, sizes.size());
      assertEquals(41, pages.size(), "a statement a page, and the empty one after the last");
      for (ExplainingDataSource.Plan page : pages) {
        assertTrue(page.mostLoopsOn("billing_storage_levels") <= 10, page.tree());
      }
    }
  }

  /** A data source handing out {@code connection} itself, left open when the code closes it. */
  private static DataSource onlyThrough(Connection connection) {
    Connection kept =
        (Connection)
            Proxy.newProxyInstance(
                Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class},
                (proxy, method, args) ->
                    method.getName().equals("close") ? null : method.invoke(connection, args));
    return (DataSource)
        Proxy.newProxyInstance(
            DataSource.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) -> method.getName().equals("getConnection") ? kept : null);
  }
}
