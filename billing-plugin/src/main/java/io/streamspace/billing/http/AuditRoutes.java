package io.streamspace.billing.http;

import io.streamspace.billing.audit.Actor;
import io.streamspace.billing.audit.AuditFilter;
import io.streamspace.billing.audit.AuditLog;
import io.streamspace.billing.audit.AuditRecord;
import io.streamspace.billing.audit.ChainCheck;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.reports.ReportFormat;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.QueryParams;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpRoutes;
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
 * filtered and paged, as JSON or CSV; {@code GET /admin/audit/verify} walks every chain.
 */
public final class AuditRoutes {

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
  private final Supplier<BillingConfig> config;

  public AuditRoutes(AuditLog log, Supplier<BillingConfig> config) {
    this.log = log;
    this.config = config;
  }

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.GET, "/admin/audit", JsonRoute.of(this::list));
    routes.add(HttpMethod.GET, "/admin/audit/verify", JsonRoute.of(this::verify));
  }

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

  /** 200 with {@code intact}, {@code checked}, {@code chains} and the first broken link. */
  ChainCheck verify(HttpRequest request) throws Exception {
    Access.admin(request);
    return log.verify();
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
