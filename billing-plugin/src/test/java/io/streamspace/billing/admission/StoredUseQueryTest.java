package io.streamspace.billing.admission;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.event.UsageReport;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A reload of many accounts reads them in slices, in one snapshot, with a pause between two: what
 * it loads is what one read of them all loads.
 */
class StoredUseQueryTest {

  private static final String T0 = "2026-03-10T12:00:00Z";

  private final BillingHarness billing = new BillingHarness(at(T0));
  private final StoredUseQuery query = new StoredUseQuery(TestDatabase.dataSource());

  @AfterEach
  void close() {
    billing.close();
  }

  @Test
  void aLoadInSlicesLoadsWhatOneLoadOfThemAllLoads_pausingBetweenTwoSlices() throws Exception {
    for (int i = 0; i < 12; i++) {
      billing.created(T0, "s-" + i, "user-" + i, size("0.5", "1", "0"));
    }
    billing.billing.onSessionCreated(
        billing.context,
        new SessionEvent("e-acme", at(T0), "s-acme", "u1", size("1", "2", "0"), "acme"));
    billing.billing.onUsageReported(
        billing.context,
        new UsageReport("q1", at(T0), "user-3", "ai_queries", new BigDecimal("7"), null));
    billing.flush();
    List<Duration> pauses = new ArrayList<>();

    StoredUseQuery.Loaded whole = load(null);
    StoredUseQuery.Loaded sliced = load(pauses);

    assertTrue(whole.accounts().size() >= 13, whole.accounts().keySet().toString());
    assertEquals(whole, sliced);
    assertEquals(3, pauses.size()); // four slices: a pause between each two
  }

  @Test
  void aViewOfUpTo5000AccountsIsReloadedWhole_andOneOf100000InTwentySlices() {
    assertEquals(1, AdmissionViewLoads.slicesFor(0));
    assertEquals(1, AdmissionViewLoads.slicesFor(5_000));
    assertEquals(2, AdmissionViewLoads.slicesFor(5_001));
    assertEquals(20, AdmissionViewLoads.slicesFor(100_000));
  }

  /** Every account with an open session, and q1 asked about: whole, or in four slices. */
  private StoredUseQuery.Loaded load(List<Duration> pauses) throws Exception {
    Instant now = at(T0);
    StoredUseQuery.AsOf asOf =
        new StoredUseQuery.AsOf(
            now,
            now.minus(Duration.ofMinutes(10)),
            at("2026-03-01T00:00:00Z"),
            at("2026-04-01T00:00:00Z"),
            new String[0]);
    return pauses == null
        ? query.load(Set.of("nobody"), true, asOf, () -> Set.of("q1"))
        : query.loadInSlices(Set.of("nobody"), true, asOf, () -> Set.of("q1"), 4, pauses::add);
  }
}
