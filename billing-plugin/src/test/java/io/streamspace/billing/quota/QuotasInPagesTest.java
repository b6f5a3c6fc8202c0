package io.streamspace.billing.quota;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

  /** Five accounts in pages of two: pages of 2, 2 and 1, each account once, as all() has them. */
  @Test
  void everyAccountComesOnceInUserIdOrder_inPagesOfTheSizeAsked() throws Exception {
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
    quotas.inPages(
        2,
        page -> {
          sizes.add(page.size());
          read.addAll(page);
        });

    assertEquals(List.of(2, 2, 1), sizes);
    assertEquals(
        List.of("u1", "u2", "u3", "u4", "u5"), read.stream().map(AccountQuota::orgId).toList());
    assertEquals(quotas.all(), read);
  }
}
