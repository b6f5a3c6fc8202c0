package io.streamspace.billing.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.streamspace.billing.catalog.Limit;
import io.streamspace.billing.catalog.LimitKind;
import io.streamspace.billing.catalog.Meter;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** A limit of 5 GB with the default 80 % threshold: 4 GB is the warning, 5 GB the limit. */
class QuotaRuleTest {

  private final QuotaRule rule = new QuotaRule(80);
  private final Limit fiveGb = new Limit(new BigDecimal("5"), LimitKind.HARD);

  @Test
  void at79PercentTheQuotaIsOk() {
    assertEquals(QuotaState.OK, rule.state(new BigDecimal("3.95"), fiveGb));
    assertEquals(new BigDecimal("79.00"), rule.percent(new BigDecimal("3.95"), fiveGb));
  }

  @Test
  void justUnderTheThresholdIsOk_evenWhenThePercentShowsRoundedUpToIt() {
    BigDecimal used = new BigDecimal("3.99999");
    assertEquals(new BigDecimal("80.00"), rule.percent(used, fiveGb));
    assertEquals(QuotaState.OK, rule.state(used, fiveGb));
  }

  @Test
  void at80PercentTheQuotaIsInWarning() {
    assertEquals(QuotaState.WARNING, rule.state(new BigDecimal("4"), fiveGb));
    assertEquals(new BigDecimal("80.00"), rule.percent(new BigDecimal("4"), fiveGb));
  }

  @Test
  void at100PercentTheQuotaIsExceeded() {
    assertEquals(QuotaState.EXCEEDED, rule.state(new BigDecimal("5.000"), fiveGb));
    assertEquals(new BigDecimal("100.00"), rule.percent(new BigDecimal("5.000"), fiveGb));
  }

  @Test
  void overTheLimitTheQuotaIsExceeded_andThePercentGoesPast100() {
    assertEquals(QuotaState.EXCEEDED, rule.state(new BigDecimal("6.5"), fiveGb));
    assertEquals(new BigDecimal("130.00"), rule.percent(new BigDecimal("6.5"), fiveGb));
  }

  @Test
  void theThresholdIsTheConfiguredOne() {
    QuotaRule ninety = new QuotaRule(90);
    assertEquals(QuotaState.OK, ninety.state(new BigDecimal("4.4"), fiveGb));
    assertEquals(QuotaState.WARNING, ninety.state(new BigDecimal("4.5"), fiveGb));
  }

  @Test
  void anUnlimitedMeterIsAlwaysOk_withoutAPercent() {
    Limit unlimited = new Limit(null, LimitKind.SOFT);
    assertEquals(QuotaState.OK, rule.state(new BigDecimal("1000000"), unlimited));
    assertNull(rule.percent(new BigDecimal("1000000"), unlimited));
  }

  @Test
  void aLimitOfZeroIsExceededByAnyUse_withoutAPercent() {
    Limit none = new Limit(BigDecimal.ZERO, LimitKind.HARD);
    assertEquals(QuotaState.OK, rule.state(BigDecimal.ZERO, none));
    assertEquals(QuotaState.EXCEEDED, rule.state(new BigDecimal("0.1"), none));
    assertNull(rule.percent(new BigDecimal("0.1"), none));
  }

  private final Limit hundredSoft = new Limit(new BigDecimal("100"), LimitKind.SOFT);

  @Test
  void aSoftCounterAtItsLimitNeedsConfirmation_untilItsOverageIsConfirmed() {
    BigDecimal atLimit = new BigDecimal("100");
    assertEquals(
        QuotaState.CONFIRMATION_REQUIRED,
        rule.state(Meter.AI_QUERIES, atLimit, hundredSoft, false));
    assertEquals(QuotaState.EXCEEDED, rule.state(Meter.AI_QUERIES, atLimit, hundredSoft, true));
  }

  @Test
  void underItsLimitASoftCounterIsWarnedOrOk_confirmedOrNot() {
    assertEquals(
        QuotaState.WARNING,
        rule.state(Meter.AI_QUERIES, new BigDecimal("99.99"), hundredSoft, false));
    assertEquals(
        QuotaState.OK, rule.state(Meter.AI_QUERIES, new BigDecimal("10"), hundredSoft, false));
  }

  @Test
  void aSoftCounterLimitedToZeroNeedsConfirmationAtItsFirstUse() {
    Limit none = new Limit(BigDecimal.ZERO, LimitKind.SOFT);
    assertEquals(QuotaState.OK, rule.state(Meter.BANDWIDTH_GB, BigDecimal.ZERO, none, false));
    assertEquals(
        QuotaState.CONFIRMATION_REQUIRED,
        rule.state(Meter.BANDWIDTH_GB, new BigDecimal("0.001"), none, false));
  }

  @Test
  void aHardLimitOrAMeterThatIsNotACounterNeverNeedsConfirmation() {
    Limit hundredHard = new Limit(new BigDecimal("100"), LimitKind.HARD);
    BigDecimal over = new BigDecimal("150");
    assertEquals(QuotaState.EXCEEDED, rule.state(Meter.AI_QUERIES, over, hundredHard, false));
    // a soft storage or core limit bills no overage, so there is nothing to confirm
    assertEquals(QuotaState.EXCEEDED, rule.state(Meter.STORAGE_GB, over, hundredSoft, false));
    assertEquals(QuotaState.EXCEEDED, rule.state(Meter.CPU_CORES, over, hundredSoft, false));
  }

  @Test
  void anUnlimitedSoftCounterIsAlwaysOk() {
    Limit unlimited = new Limit(null, LimitKind.SOFT);
    assertEquals(
        QuotaState.OK, rule.state(Meter.AI_QUERIES, new BigDecimal("1000000"), unlimited, false));
  }
}
