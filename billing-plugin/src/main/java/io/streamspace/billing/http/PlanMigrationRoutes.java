package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.bool;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.plans.MigrationPreview;
import io.streamspace.billing.plans.PlanMigration;
import io.streamspace.billing.plans.PlanMigrations;
import io.streamspace.billing.plans.PlanMigrations.AlreadyScheduled;
import io.streamspace.billing.plans.PlanMigrations.NotCancellable;
import io.streamspace.billing.plans.PlanMigrations.Proposed;
import io.streamspace.billing.planversions.PlanVersion;
import io.streamspace.billing.planversions.PlanVersions;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * {@code POST /admin/plans/{id}/migrations}: moves the organizations on one version of a plan
 * onto another at an instant, telling them before; with {@code ?preview=true}, what each would
 * have paid on it instead, writing nothing ({@link MigrationPreview}). {@code POST
 * /admin/plans/{id}/migrations/{mid}/cancel}: cancels one before it takes effect.
 */
public final class PlanMigrationRoutes {

  static final Schema MIGRATION_REQUEST =
      Schema.component(
          "PlanMigrationRequest",
          object()
              .additionalProperties(false)
              .req("from_version", integer().min(1))
              .req("to_version", integer().min(1))
              .req(
                  "effective",
                  string()
                      .description(
                          """
                          next_period (the start of the next billing period), or an instant \
                          (2026-04-15T00:00:00Z) or date (midnight in the billing zone) after \
                          now"""))
              .req("notice_days", integer().min(0).max(PlanMigrationInputs.MAX_NOTICE_DAYS))
              .prop(
                  "reason",
                  string()
                      .maxLength(1000)
                      .description("why; required unless previewing, kept in the audit trail")));

  private final DataSource dataSource;
  private final PlanMigrations migrations;
  private final MigrationPreview preview;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public PlanMigrationRoutes(
      DataSource dataSource,
      PlanMigrations migrations,
      MigrationPreview preview,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.dataSource = dataSource;
    this.migrations = migrations;
    this.preview = preview;
    this.config = config;
    this.clock = clock;
  }

  public void register(DescribedRoutes routes) {
    routes.add(MIGRATE, JsonRoute.creating(this::migrate));
    routes.add(CANCEL, JsonRoute.of(this::cancel));
  }

  static final Operation MIGRATE =
      Operation.post("/admin/plans/{id}/migrations")
          .admin()
          .summary("Move a plan version's organizations onto another version, or preview it")
          .description(
              """
              Who: admin.

              `{"from_version","to_version","effective","notice_days","reason"}`: the open \
              organizations whose active plan term is on `from_version` of the plan (but those \
              whose plan a Stripe Subscription charges: change theirs in the Customer Portal) \
              move onto `to_version` at `effective`: `next_period`, the start of the next billing \
              period, or an instant (or date: midnight in the billing zone) after now. Each one's \
              term on the old version ends then and one on the new starts then, in its currency, \
              so its invoice prorates the two to the second as it does a plan change; \
              plan-migrations (every minute) makes the move, at `effective` itself whenever it \
              runs, each with its `plan.changed` entry naming the migration and \
              `billing.subscription.changed`. From `notice_days` days before `effective` \
              (`notice_at`) each is told once, `billing.plan.migration_scheduled` (across nodes \
              too: one who joins the version later is told at the next run), and the Owner's \
              page shows the coming change (`GET /subscription`'s `scheduled_change`). → 201 the \
              migration, with its `plan_migration.scheduled` entry in the audit trail; a retry \
              with the first request's `Idempotency-Key` answers it again. \
              `?preview=true` writes nothing and answers 200 \
              `{"plan_id","from_version","to_version","effective_at","notice_at","last_closed_peri\
              od","current_period"}`, each period as `POST /admin/what-if` answers one (per \
              organization `invoiced_total`, `what_if_total`, `delta`, then `totals` per currency \
              and the `distribution`): what each organization it would move would have paid \
              with its terms on `from_version` priced as `to_version`'s over the same time, by \
              invoicing's own code (so an invoice of the same usage on the new version charges \
              `what_if_total`); streamed. 400 naming the field, nothing changed: a body that is \
              not an object or has another member, `from_version` or `to_version` missing, not a \
              whole number or not a version of the plan, `to_version` equal to `from_version` or \
              without a price in the currency of an organization it would move, `effective` \
              missing or not `next_period` or an instant after now, `notice_days` missing, not a \
              whole number from 0 to 3650 or due before now (`effective` − `notice_days` days), \
              `reason` missing (unless previewing), `preview` other than true or false. 404 for a \
              plan neither configured nor versioned. 409 `migration_scheduled` while another \
              migration from `from_version` is scheduled (its id in `migration_id`).""")
          .params(
              Param.path("id", string()),
              Param.query("preview", bool().defaultValue(false)),
              Param.IDEMPOTENCY_KEY)
          .body(MIGRATION_REQUEST)
          .answers(201, PlanVersionRoutes.PLAN_MIGRATION)
          .answers(
              200,
              Response.of(
                      """
                      the preview (?preview=true): the last closed period and the current one, \
                      each as a what-if answers it""")
                  .json(
                      object()
                          .req("plan_id", string())
                          .req("from_version", integer())
                          .req("to_version", integer())
                          .req("effective_at", string().format("date-time"))
                          .req("notice_at", string().format("date-time"))
                          .req("last_closed_period", WhatIfRoutes.WHAT_IF)
                          .req("current_period", WhatIfRoutes.WHAT_IF)))
          .answers(
              409,
              Response.CONFLICT.described(
                  "migration_scheduled: another migration from that version is scheduled"))
          .errors(400, 404);

  /**
   * 201 with the migration scheduled; 200 with the preview ({@code ?preview=true}), streamed;
   * 400 naming the field, nothing changed; 401/403 unless platform admin; 404 for an unknown
   * plan; 409 while another migration from that version is scheduled.
   */
  Object migrate(HttpRequest request) throws Exception {
    Access.admin(request);
    boolean previewing = PlanMigrationInputs.previewing(request);
    JsonNode body = Json.readObject(request);
    String planId = request.pathParam("id");
    BillingConfig current = config.get();
    List<PlanVersion> versions = PlanVersions.listed(dataSource, current, planId);
    if (versions.isEmpty()) {
      throw ApiException.notFound("no plan \"" + planId + "\"");
    }
    Instant now = clock.instant();
    Proposed proposed = PlanMigrationInputs.proposed(body, planId, versions, current, now);
    PlanVersion to = PlanMigrationInputs.version(versions, proposed.toVersion());
    List<String> unpriced =
        migrations.currenciesConcerned(planId, proposed.fromVersion()).stream()
            .filter(code -> !to.terms().prices().containsKey(code))
            .toList();
    if (!unpriced.isEmpty()) {
      throw ApiException.badParameter(
          "to_version",
          "version %d of %s has no price in %s, the currency of organizations on version %d"
              .formatted(
                  to.version(), planId, String.join(", ", unpriced), proposed.fromVersion()));
    }
    String name = current.plan(planId).map(SubscriptionPlan::name).orElse(to.name());
    if (previewing) {
      return HttpResponse.streamed(
          HttpStatus.OK,
          "application/json",
          Map.of(),
          out -> preview.write(out, proposed, to, name));
    }
    Cause cause = AuditCauses.admin(request, request.caller(), AuditCauses.requiredReason(body));
    try {
      return migrations.schedule(proposed, cause, now);
    } catch (AlreadyScheduled e) {
      throw ApiException.conflict(
          "migration_scheduled", e.getMessage(), Map.of("migration_id", e.existing()));
    }
  }

  static final Operation CANCEL =
      Operation.post("/admin/plans/{id}/migrations/{mid}/cancel")
          .admin()
          .summary("Cancel a plan migration before it takes effect")
          .description(
              """
              Who: admin.

              `{"reason"}` (required) cancels the migration while its effective instant is still \
              to come: no organization moves, none is told any more, and each one told of it \
              gets `billing.plan.migration_cancelled` \
              `{"org_id","migration_id","plan_id","from_version","to_version","effective_at"}`; \
              its `plan_migration.cancelled` entry is written in the audit trail. → 200 the \
              migration, `cancelled`. 400 naming `reason`; 404 for a migration of another plan \
              or none; 409 `not_cancellable` once it took effect (`effective_at` passed) or was \
              cancelled, nothing changed.""")
          .params(Param.path("id", string()), Param.path("mid", string().pattern("^[0-9]{1,18}$")))
          .body(object().req("reason", string().maxLength(1000)))
          .answers(200, PlanVersionRoutes.PLAN_MIGRATION)
          .answers(
              409,
              Response.CONFLICT.described(
                  "not_cancellable: the migration took effect, or was cancelled"))
          .errors(400, 404);

  /**
   * 200 with the migration cancelled; 400 naming {@code reason}; 401/403 unless platform admin;
   * 404 for no such migration of the plan; 409 once it took effect or was cancelled.
   */
  PlanMigration cancel(HttpRequest request) throws Exception {
    Access.admin(request);
    String planId = request.pathParam("id");
    long id = migrationId(request.pathParam("mid"));
    JsonNode body = Json.readObject(request);
    Cause cause = AuditCauses.admin(request, request.caller(), AuditCauses.requiredReason(body));
    boolean known = migrations.of(planId).stream().anyMatch(m -> m.id() == id);
    if (!known) {
      throw ApiException.notFound("no migration " + id + " of plan \"" + planId + "\"");
    }
    try {
      return migrations.cancel(planId, id, cause, clock.instant());
    } catch (NotCancellable e) {
      throw ApiException.conflict("not_cancellable", e.getMessage(), Map.of());
    }
  }

  private static long migrationId(String value) throws ApiException {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw ApiException.notFound("no migration " + value);
    }
  }
}
