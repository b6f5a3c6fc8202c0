package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.any;
import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.bool;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.nullValue;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.oneOf;
import static io.streamspace.billing.http.Schema.string;

import io.streamspace.billing.audit.Actor;
import io.streamspace.billing.audit.AuditCheckpoints;
import io.streamspace.billing.audit.AuditFilter;
import io.streamspace.billing.audit.AuditLog;
import io.streamspace.billing.audit.AuditRecord;
import io.streamspace.billing.audit.ChainCheck;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.reports.ReportFormat;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.QueryParams;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpStatus;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.commons.csv.CSVPrinter;

/**
 * The audit trail for the platform admin: {@code GET /admin/audit} lists entries, newest first,
 * filtered and paged, as JSON or CSV; {@code GET /admin/audit/verify} walks every chain (against
 * a signed checkpoint: {@link AuditCheckpointRoutes}).
 */
public final class AuditRoutes {

  // the bodies and answers of these routes

  static final Schema AUDIT_ENTRY =
      Schema.component(
          "AuditEntry",
          object()
              .req("id", integer())
              .req("occurred_at", string().format("date-time"))
              .req("actor_type", string().enumOf("user", "admin", "platform", "job", "stripe"))
              .req(
                  "actor_id",
                  string()
                      .orNull()
                      .description(
                          """
                          the user's or admin's id, the job's name (`billing` for the plugin's own \
                          rules: holds placed and lifted), the Stripe event's id"""))
              .req("org_id", string().orNull().description("null for a platform-wide change"))
              .req(
                  "kind",
                  string()
                      .description(
                          """
                          credit.granted, credit.expired, credit.revoked, invoice.created, \
                          invoice.finalized, invoice.paid, invoice.voided, invoice.overdue, \
                          invoice.refunded, usage.corrected, plan.changed, checkout.refused, \
                          plan_migration.scheduled, plan_migration.cancelled, \
                          subscription.cancelled, balance.<entry kind> (balance.grant, \
                          balance.top_up, balance.refund…), top_up_rule.set, \
                          top_up_rule.removed, top_up.refund_unrecovered, spending_limit.set, \
                          spending_limit.removed, \
                          pack.purchased, pack.renewed, pack.cancelled, pack.refunded, \
                          seat_limit.set, seat_limit.removed, budget.set, budget.removed, \
                          overage.confirmed, \
                          ownership.transferred, member.billing_role_given, hold.placed, \
                          hold.lifted, config.changed, store_item.approved, store_item.rejected, \
                          store_item.delisted, store_purchase.bought, store_purchase.refunded, \
                          store_purchase.charged_back, creator_payout.queued, creator_payout.paid, \
                          creator_payout_account.set"""))
              .req(
                  "subject",
                  string()
                      .orNull()
                      .description(
                          """
                          what changed, e.g. invoice:42, credit:7, hold:3, subscription:acme"""))
              .req("before", any().description("the state before (null for a creation)"))
              .req("after", any().description("the state after"))
              .req("reason", string().orNull())
              .req("request_id", string().orNull())
              .req(
                  "chain_seq",
                  integer().description("its place in its organization's chain, from 1"))
              .req(
                  "prev_hash",
                  string()
                      .orNull()
                      .description(
                          """
                          hex SHA-256 of the previous entry of its chain; null for the first"""))
              .req("hash", string().description("hex SHA-256 of its fields and prev_hash")));

  static final Schema AUDIT_PAGE =
      Schema.component(
          "AuditPage",
          object()
              .req("entries", array(AUDIT_ENTRY))
              .req(
                  "next_before_id",
                  integer().orNull().description("before_id of the next page; null on the last")));

  static final Schema AUDIT_CHECK =
      Schema.component(
          "AuditCheck",
          object()
              .req("intact", bool())
              .req("checked", integer())
              .req("chains", integer())
              .req(
                  "broken",
                  oneOf(
                      nullValue(),
                      object()
                          .req("id", integer().orNull())
                          .req("chain", string())
                          .req("chain_seq", integer())
                          .req("problem", string())))
              .req(
                  "anchoring",
                  string()
                      .enumOf(ChainCheck.OFF, ChainCheck.NO_CHECKPOINT, ChainCheck.CHECKPOINT)
                      .description(
                          """
                          `off`: no checkpoint key is set, the chains are checked only against \
                          themselves (a chain rewritten with its hashes recomputed passes); \
                          `no_checkpoint`: a key is set but no checkpoint was given (`POST` one); \
                          `checkpoint`: checked against the checkpoint of `checkpoint_at` too"""))
              .req("checkpoint_at", string().format("date-time").orNull()));

  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;

  static final List<String> CSV_COLUMNS =
      List.of(
          "id",
          "occurred_at",
          "actor_type",
          "actor_id",
          "org_id",
          "kind",
          "subject",
          "before",
          "after",
          "reason",
          "request_id",
          "chain_seq",
          "prev_hash",
          "hash");

  /** A page of entries and where the next one starts (null on the last page). */
  public record Page(List<AuditRecord> entries, Long nextBeforeId) {}

  private final AuditLog log;
  private final AuditCheckpoints checkpoints;
  private final Supplier<BillingConfig> config;

  public AuditRoutes(AuditLog log, AuditCheckpoints checkpoints, Supplier<BillingConfig> config) {
    this.log = log;
    this.checkpoints = checkpoints;
    this.config = config;
  }

  public void register(DescribedRoutes routes) {
    routes.add(LIST, JsonRoute.of(this::list));
    routes.add(VERIFY, JsonRoute.of(this::verify));
  }

  static final Operation LIST =
      Operation.get("/admin/audit")
          .admin()
          .summary("The audit trail, filtered")
          .description(
              """
              Who: admin.

              Every change of money or of what decides money, one append-only entry each, written \
              in the change's transaction: when, who (`actor_type`, `actor_id`), which \
              organization, what (`kind`, `subject`), `before` and `after`, the admin's `reason`, \
              the request's `X-Request-Id`. Newest first, filtered by `org_id`, `actor_type`, \
              `actor_id`, `kind`, `from` (inclusive) and `to` (exclusive; dates = midnight in the \
              billing zone, or instants); paged by `limit` (1 to 1000, default 100) and \
              `before_id` (the previous page's `next_before_id`). `format=csv`: every matching \
              entry (up to `limit` when given), streamed, RFC 4180 with a header line, \
              `Content-Disposition: attachment; filename="audit.csv"`, a text cell starting like a \
              formula (`=`, `+`, `-`, `@`, `|`, `;`, as the reports' CSV) prefixed with `'`. 400 \
              naming the parameter that is bad.""")
          .params(
              Param.query("org_id", string()),
              Param.query(
                  "actor_type", string().enumOf("user", "admin", "platform", "job", "stripe")),
              Param.query("actor_id", string()),
              Param.query("kind", string()),
              Param.query("from", string())
                  .description(
                      """
                      a date (midnight in the billing zone) or an instant; inclusive"""),
              Param.query("to", string()).description("as from; exclusive"),
              Param.query("limit", integer().min(1).max(1000).defaultValue(100)),
              Param.query("before_id", integer().min(1)),
              Param.query("format", string().enumOf("json", "csv").defaultValue("json")))
          .answers(200, Response.of("OK").json(AUDIT_PAGE).content("text/csv", string()))
          .errors(400);

  /**
   * Filters {@code org_id}, {@code actor_type} (user, admin, platform, job, stripe), {@code
   * actor_id}, {@code kind}, {@code from} (inclusive) and {@code to} (exclusive) as ISO instants
   * or dates (midnight in the billing zone); pages by {@code limit} (1 to 1000, default 100) and
   * {@code before_id} (the previous page's {@code next_before_id}). {@code format=csv} streams
   * every matching entry (up to {@code limit} when given) as CSV. 400 naming the parameter that
   * is bad; 401/403 unless admin.
   */
  Object list(HttpRequest request) throws Exception {
    Access.admin(request);
    ZoneId zone = config.get().billingTimeZone();
    Actor.Type actorType =
        optional(request, "actor_type")
            .map(
                name ->
                    Actor.Type.named(name)
                        .orElseThrow(
                            () ->
                                ApiException.badParameter(
                                    "actor_type",
                                    "actor_type must be user, admin, platform, job or stripe")))
            .orElse(null);
    Instant from = instant(request, "from", zone);
    Instant to = instant(request, "to", zone);
    if (from != null && to != null && !from.isBefore(to)) {
      throw ApiException.badParameter("to", "to must be after from");
    }
    AuditFilter filter =
        new AuditFilter(
            optional(request, "org_id").orElse(null),
            actorType,
            optional(request, "actor_id").orElse(null),
            optional(request, "kind").orElse(null),
            from,
            to,
            positive(request, "before_id", Long.MAX_VALUE).orElse(null));
    ReportFormat format =
        ReportFormat.named(optional(request, "format").orElse("json"))
            .orElseThrow(() -> ApiException.badParameter("format", "format must be json or csv"));
    Optional<Long> limit = positive(request, "limit", MAX_LIMIT);
    if (format == ReportFormat.CSV) {
      return csv(filter, limit.orElse(Long.MAX_VALUE));
    }
    int pageSize = limit.orElse((long) DEFAULT_LIMIT).intValue();
    List<AuditRecord> entries = log.page(filter, pageSize);
    Long next = entries.size() == pageSize ? entries.get(entries.size() - 1).id() : null;
    return new Page(entries, next);
  }

  static final Operation VERIFY =
      Operation.get("/admin/audit/verify")
          .admin()
          .summary("Verify the audit trail's hash chains")
          .description(
              """
              Who: admin.

              Walks every chain (one per organization, `''` for platform-wide changes): each \
              entry's place follows the previous one's, its `prev_hash` is the previous entry's \
              hash, its hash is that of its content, and each chain's head counts its last entry. \
              Answers `{"intact":true,"checked","chains","broken":null,"anchoring",\
              "checkpoint_at":null}`, or `intact` false and the first broken link (lowest id): \
              `{"id","chain","chain_seq","problem"}` saying what differs. The table refuses \
              UPDATE, DELETE and TRUNCATE (a trigger, and the privileges revoked); the chain \
              shows an entry edited around them (a superuser with triggers off), but not a chain \
              rewritten with its hashes recomputed, cut back with its head, or deleted with it: \
              for those, `POST` a signed checkpoint kept outside the database. `anchoring`: \
              `off` without a checkpoint key, else `no_checkpoint`.""")
          .answers(200, AUDIT_CHECK);

  /**
   * 200 with {@code intact}, {@code checked}, {@code chains}, the first broken link and whether
   * checkpoints could anchor the chains ({@code off} without a key).
   */
  ChainCheck verify(HttpRequest request) throws Exception {
    Access.admin(request);
    return log.verify()
        .anchoring(checkpoints.anchoring() ? ChainCheck.NO_CHECKPOINT : ChainCheck.OFF);
  }

  private HttpResponse csv(AuditFilter filter, long limit) {
    return HttpResponse.streamed(
        HttpStatus.OK,
        ReportFormat.CSV.contentType(),
        Map.of("Content-Disposition", "attachment; filename=\"audit.csv\""),
        out -> {
          CSVPrinter printer = ReportFormat.csvPrinter(out, CSV_COLUMNS);
          log.forEach(
              filter,
              limit,
              e ->
                  printer.printRecord(
                      e.id(),
                      e.occurredAt(),
                      e.actorType(),
                      ReportFormat.inert(e.actorId()),
                      ReportFormat.inert(e.orgId()),
                      e.kind(),
                      ReportFormat.inert(e.subject()),
                      e.before() == null ? null : ReportFormat.inert(e.before().toString()),
                      e.after() == null ? null : ReportFormat.inert(e.after().toString()),
                      ReportFormat.inert(e.reason()),
                      ReportFormat.inert(e.requestId()),
                      e.chainSeq(),
                      e.prevHash(),
                      e.hash()));
          printer.close(true);
        });
  }

  private static Optional<String> optional(HttpRequest request, String name) {
    return QueryParams.of(request, name);
  }

  private static Instant instant(HttpRequest request, String name, ZoneId zone) {
    Optional<String> value = optional(request, name);
    return value.isEmpty() ? null : TimeRange.instantOrDate(value.get(), name, zone);
  }

  private static Optional<Long> positive(HttpRequest request, String name, long max) {
    Optional<String> value = optional(request, name);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    long parsed;
    try {
      parsed = Long.parseLong(value.get());
    } catch (NumberFormatException e) {
      parsed = 0;
    }
    if (parsed < 1 || parsed > max) {
      throw ApiException.badParameter(
          name,
          max == Long.MAX_VALUE
              ? name + " must be a positive whole number"
              : name + " must be a whole number from 1 to " + max);
    }
    return Optional.of(parsed);
  }
}
