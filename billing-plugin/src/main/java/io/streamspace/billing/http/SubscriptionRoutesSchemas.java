package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.nullValue;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.oneOf;
import static io.streamspace.billing.http.Schema.string;

/** The bodies and answers of {@link SubscriptionRoutes}'s routes, declared for its operations. */
final class SubscriptionRoutesSchemas {

  private SubscriptionRoutesSchemas() {}

  static final Schema PLAN_CHANGE =
      Schema.component(
          "PlanChange",
          object()
              .req("plan_id", string())
              .prop("org_id", Schemas.ORG_ID)
              .prop("user_id", string())
              .prop(
                  "reason",
                  string()
                      .maxLength(1000)
                      .description(
                          """
                          why; required when the platform admin changes the plan (400 naming \
                          reason otherwise), kept in the audit trail""")));

  static final Schema SUBSCRIPTION_TERM =
      Schema.component(
          "SubscriptionTerm",
          object()
              .req("plan_id", string())
              .prop("plan_name", string())
              .prop("price", number())
              .prop("currency", string())
              .prop("interval", string())
              .req("started_at", string().format("date-time"))
              .req("ended_at", string().orNull().format("date-time"))
              .req(
                  "trial_ends_at",
                  string()
                      .orNull()
                      .format("date-time")
                      .description("a trial term's end (free until then); null for a paid one")));

  static final Schema SCHEDULED_CHANGE =
      Schema.component(
          "ScheduledChange",
          object()
              .req("migration_id", integer())
              .req("plan_id", string())
              .req("plan_name", string())
              .req("from_version", integer())
              .req("to_version", integer())
              .req(
                  "effective_at",
                  string().format("date-time").description("when the new terms start"))
              .req("price", number().orNull().description("the new fee per interval"))
              .req("currency", string())
              .req("interval", string()));

  static final Schema TRIAL =
      Schema.component(
          "Trial",
          object()
              .req("plan_id", string())
              .req("plan_name", string())
              .req("started_at", string().format("date-time"))
              .req(
                  "ends_at",
                  string()
                      .format("date-time")
                      .description("when it ends: it converts, or falls back to the default plan"))
              .req(
                  "price",
                  number().description("the plan's fee per interval from ends_at if it converts"))
              .req("currency", string())
              .req("interval", string())
              .req(
                  "will_convert",
                  Schema.bool()
                      .description(
                          """
                          whether it converts as things stand: a payment method on file, or a \
                          Stripe Subscription charging the plan"""))
              .req("fallback_plan_id", string().description("the default plan"))
              .req("fallback_plan_name", string()));

  static final Schema SUBSCRIPTION =
      Schema.component(
          "Subscription",
          object()
              .req("user_id", string())
              .req("plan_id", string())
              .req(
                  "plan_version",
                  integer().description("the version of the plan the active term is on"))
              .req("plan_name", string())
              .req("price", number())
              .req("currency", string())
              .req("interval", string())
              .req("cpu_limit", number().orNull())
              .req("memory_limit", number().orNull())
              .req("storage_limit", number().orNull())
              .req("started_at", string().format("date-time"))
              .req("billing_mode", string())
              .req(
                  "status",
                  string()
                      .enumOf("active", "suspended", "canceled")
                      .description(
                          """
                          canceled once the organization is closed; suspended while locked \
                          read-only for non-payment; else active"""))
              .req(
                  "current_period_start",
                  string()
                      .format("date-time")
                      .description(
                          "the billing period holding now: midnight of the invoice day in the"
                              + " billing zone"))
              .req(
                  "current_period_end",
                  string().format("date-time").description("that period's end (exclusive)"))
              .req(
                  "stripe_subscription_id",
                  string()
                      .orNull()
                      .description("the Stripe Subscription charging the plan; null when none"))
              .req(
                  "canceled_at",
                  string()
                      .orNull()
                      .format("date-time")
                      .description("when the organization closed; null while open"))
              .req(
                  "scheduled_change",
                  oneOf(SCHEDULED_CHANGE, nullValue())
                      .description(
                          """
                          the plan migration the organization was told of \
                          (billing.plan.migration_scheduled) that has not taken effect, while it \
                          is on the version it moves from; null when none"""))
              .req(
                  "trial",
                  oneOf(TRIAL, nullValue())
                      .description(
                          """
                          the trial of its plan the active term is (free until ends_at); null \
                          when none"""))
              .req("history", array(SUBSCRIPTION_TERM)));
}
