package io.streamspace.billing.admission;

import io.streamspace.billing.config.BillingConfig;

/**
 * A plan as a refusal knows it: its id for the machine fields ({@code upgrade}) and comparisons,
 * its name for the sentence people read ("the Hobby plan").
 */
record NamedPlan(String id, String name) {

  /** The plan of that id, named as {@link BillingConfig#planName} names it. */
  static NamedPlan of(BillingConfig config, String planId) {
    return new NamedPlan(planId, config.planName(planId));
  }

  /** How a sentence names it: "the Hobby plan". */
  String phrase() {
    return "the " + name + " plan";
  }
}
