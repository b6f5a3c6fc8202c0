package io.streamspace.billing.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.catalog.LimitKind;
import io.streamspace.billing.catalog.Meter;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What counts as over a hard limit, the ground of suspension after the grace. */
class MeterQuotaTest {

  private static MeterQuota quota(Meter meter, String used, String limit, LimitKind kind) {
    return new MeterQuota(
        meter,
        new BigDecimal(used),
        limit == null ? null : new BigDecimal(limit),
        null,
        kind,
        QuotaState.OK,
        null,
        null);
  }

  @Test
  void atAHardLimitIsNotOver_strictlyAboveIs() {
    assertFalse(quota(Meter.ACTIVE_SESSIONS, "2", "2", LimitKind.HARD).overHardLimit());
    assertTrue(quota(Meter.ACTIVE_SESSIONS, "3", "2", LimitKind.HARD).overHardLimit());
    assertTrue(quota(Meter.STORAGE_GB, "2.001", "2", LimitKind.HARD).overHardLimit());
    assertTrue(quota(Meter.CPU_CORES, "0.5", "0", LimitKind.HARD).overHardLimit());
  }

  @Test
  void softLimitsAndUnlimitedMetersAreNeverOverAHardLimit() {
    assertFalse(quota(Meter.AI_QUERIES, "130", "100", LimitKind.SOFT).overHardLimit());
    assertFalse(quota(Meter.STORAGE_GB, "900", null, null).overHardLimit());
  }

  @Test
  void anAccountListsItsMetersOverAHardLimit_inMeterOrder() {
    MeterQuota storage = quota(Meter.STORAGE_GB, "3", "2", LimitKind.HARD);
    MeterQuota sessions = quota(Meter.ACTIVE_SESSIONS, "3", "2", LimitKind.HARD);
    AccountQuota account =
        new AccountQuota(
            "john",
            Currency.getInstance("USD"),
            null,
            List.of(sessions, storage, quota(Meter.AI_QUERIES, "130", "100", LimitKind.SOFT)));

    assertEquals(List.of(sessions, storage), account.overHardLimits());
    assertEquals(
        "Over the hard limit of active_sessions (3 used, 2 allowed), storage_gb (3 used, 2"
            + " allowed) since 2026-03-10T12:05:00Z. End some sessions, free some storage or"
            + " upgrade your plan to resume.",
        OverLimitSuspensions.detail(
            account.overHardLimits(), java.time.Instant.parse("2026-03-10T12:05:00Z")));
  }
}
