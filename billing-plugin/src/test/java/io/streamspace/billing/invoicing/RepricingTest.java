package io.streamspace.billing.invoicing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.config.BillingConfigParser;
import io.streamspace.billing.config.CronValidator;
import io.streamspace.billing.money.UsageUnit;
import io.streamspace.billing.rating.UsageSum;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A what-if's rates applied to usage rated at activity factors: pure, figures by hand. */
class RepricingTest {

  private static final Currency USD = Currency.getInstance("USD");
  private static final Instant TEN = Instant.parse("2026-03-02T10:00:00Z");

  private static BillingConfig config(String json) {
    return new BillingConfigParser(CronValidator.fiveFields()).parse(json).config();
  }

  private static UsageBucket bucket(String price, String activity, String savedPerSecond) {
    BigDecimal unitSeconds = new BigDecimal(3 * 3600);
    return new UsageBucket(
        UsageUnit.CPU,
        TEN,
        TEN.plusSeconds(3600),
        unitSeconds,
        new BigDecimal(price),
        activity,
        unitSeconds.multiply(new BigDecimal(savedPerSecond)));
  }

  /**
   * cpu at 0.10 instead of 0.05, 3 core-hours of each kind: the full-price hour at 0.10; the
   * idle ones (0.025 of 0.05: × 0.5) at 0.05, saving 0.05 each; the hibernated ones (0 of
   * 0.05) still at nothing, saving all 0.10.
   */
  @Test
  void idleTimeKeepsItsFactorAtTheNewRateAndHibernatedTimeStaysFree() {
    Repricing dearerCpu =
        new Repricing(config("{}"), config("{\"computeRates\":{\"cpu_per_core_hour\":0.10}}"));

    List<MemberBucket> repriced =
        dearerCpu.usage(
            List.of(
                new MemberBucket(null, bucket("0.05", UsageSum.ACTIVE, "0")),
                new MemberBucket(null, bucket("0.025", "idle", "0.025")),
                new MemberBucket(null, bucket("0", UsageSum.HIBERNATED, "0.05"))),
            USD);

    assertEquals(
        List.of("active 0.1 0", "idle 0.05 0.05", "hibernated 0 0.1"),
        repriced.stream()
            .map(MemberBucket::usage)
            .map(
                u ->
                    u.activity()
                        + " "
                        + u.unitPrice().stripTrailingZeros().toPlainString()
                        + " "
                        + u.savedUnitSeconds()
                            .divide(u.unitSeconds())
                            .stripTrailingZeros()
                            .toPlainString())
            .toList());
  }
}
