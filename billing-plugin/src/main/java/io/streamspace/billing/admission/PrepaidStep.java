package io.streamspace.billing.admission;

import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.prepaid.PrepaidAdmission;
import io.streamspace.billing.prepaid.Reservations;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.AdmissionRequest;
import java.time.Clock;
import java.util.Currency;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Admission's last step: a session of an organization on a prepaid plan that every rule from
 * memory and the limits' reservations ({@link LimitStep}) allowed is admitted only once its hold
 * is reserved from the prepaid balance ({@link PrepaidAdmission}; with {@link LimitStep}, the
 * steps of admission that read and write the database). A session of any other plan, or one
 * already refused, passes as it was decided, without a read.
 */
final class PrepaidStep {

  private final PrepaidAdmission prepaid;

  PrepaidStep(DataSource dataSource, Supplier<BillingConfig> config, Clock clock) {
    this.prepaid = new PrepaidAdmission(new Reservations(dataSource, clock), config);
  }

  /**
   * {@code decided} unless it allows a session of a prepaid plan: then the reservation's answer.
   *
   * @param planId   the organization's plan, as the view holds it (the default when unknown)
   * @param currency the organization's currency, as the view holds it
   */
  AdmissionDecision after(
      AdmissionDecision decided,
      AdmissionRequest request,
      BillingConfig config,
      String orgId,
      String planId,
      Currency currency) {
    boolean prepaidPlan = config.plan(planId).map(SubscriptionPlan::prepaid).orElse(false);
    return decided.allowed() && prepaidPlan
        ? prepaid.reserve(request, orgId, planId, currency)
        : decided;
  }
}
