package io.streamspace.billing.invoicing;

import io.streamspace.billing.invoicing.MeterCharges.CounterUse;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Objects;

/**
 * A counter's use in one billing period, with what each member reported of the billed part: a
 * team invoice's counter overage is theirs in that proportion ({@link MemberShares}).
 *
 * @param duringByMember the reports of the billed part summed per member (their user id); for a
 *     counter summed from its reports, they add up to {@code use.during()}
 */
record MemberCounterUse(CounterUse use, Map<String, BigDecimal> duringByMember) {

  MemberCounterUse {
    Objects.requireNonNull(use, "use");
    duringByMember = Map.copyOf(duringByMember);
  }
}
