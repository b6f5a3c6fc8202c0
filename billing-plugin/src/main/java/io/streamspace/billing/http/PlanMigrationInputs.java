package io.streamspace.billing.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.plans.PlanMigrations.Proposed;
import io.streamspace.billing.planversions.PlanVersion;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.QueryParams;
import io.streamspace.plugin.api.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The request of {@code POST /admin/plans/{id}/migrations} read and checked, each refusal a 400
 * naming its field ({@link PlanMigrationRoutes}).
 */
final class PlanMigrationInputs {

  /** The body's members, as the 400 for another names them. */
  private static final Set<String> MEMBERS =
      Set.of("from_version", "to_version", "effective", "notice_days", "reason");

  private static final String NEXT_PERIOD = "next_period";

  /** The longest notice taken: ten years. */
  static final int MAX_NOTICE_DAYS = 3650;

  private PlanMigrationInputs() {}

  /**
   * The migration the body asks for, of a plan whose versions are {@code versions}: its members
   * known, both versions the plan's and different, {@code effective} after {@code now}, its
   * notice not due before {@code now}.
   */
  static Proposed proposed(
      JsonNode body, String planId, List<PlanVersion> versions, BillingConfig config, Instant now)
      throws ApiException {
    for (String member : (Iterable<String>) body::fieldNames) {
      if (!MEMBERS.contains(member)) {
        throw ApiException.badParameter(
            member,
            member
                + " is not a member: give "
                + String.join(", ", MEMBERS.stream().sorted().toList()));
      }
    }
    int from = versionNumber(body, "from_version", planId, versions);
    int to = versionNumber(body, "to_version", planId, versions);
    if (from == to) {
      throw ApiException.badParameter("to_version", "to_version must differ from from_version");
    }
    Instant effective = effective(body, config, now);
    return new Proposed(planId, from, to, effective, noticeDays(body, effective, now));
  }

  /** The version of that number, of versions that hold it. */
  static PlanVersion version(List<PlanVersion> versions, int number) {
    return versions.stream().filter(v -> v.version() == number).findFirst().orElseThrow();
  }

  /** {@code ?preview=}: true or false (the default). */
  static boolean previewing(HttpRequest request) throws ApiException {
    String value = QueryParams.of(request, "preview").orElse("false");
    if (!value.equals("true") && !value.equals("false")) {
      throw ApiException.badParameter("preview", "preview must be true or false");
    }
    return value.equals("true");
  }

  /** The version the body's {@code field} names: a whole number, one of the plan's. */
  private static int versionNumber(
      JsonNode body, String field, String planId, List<PlanVersion> versions) throws ApiException {
    JsonNode value = body.get(field);
    if (value == null || !value.isIntegralNumber() || !value.canConvertToInt()) {
      throw ApiException.badParameter(field, field + " is required: a version number (1, 2…)");
    }
    return versions.stream()
        .filter(v -> v.version() == value.intValue())
        .findFirst()
        .map(PlanVersion::version)
        .orElseThrow(
            () ->
                ApiException.badParameter(
                    field,
                    "%s has no version %d: its versions are %s"
                        .formatted(
                            planId,
                            value.intValue(),
                            versions.stream()
                                .map(v -> Integer.toString(v.version()))
                                .collect(Collectors.joining(", ")))));
  }

  /** {@code effective}: the next billing period's start, or an instant (or date) after now. */
  private static Instant effective(JsonNode body, BillingConfig config, Instant now)
      throws ApiException {
    JsonNode value = body.get("effective");
    if (value == null || !value.isTextual()) {
      throw ApiException.badParameter(
          "effective",
          "effective is required: next_period, or an instant (2026-04-15T00:00:00Z) after now");
    }
    if (value.textValue().equals(NEXT_PERIOD)) {
      return new BillingPeriods(config.invoiceDay(), config.billingTimeZone()).periodEnd(now);
    }
    Instant at = TimeRange.instantOrDate(value.textValue(), "effective", config.billingTimeZone());
    if (!at.isAfter(now)) {
      throw ApiException.badParameter(
          "effective",
          "effective must be after now (" + now + "): a migration never moves the past");
    }
    return at;
  }

  /** {@code notice_days}: 0 to 3650, its notice not due before now. */
  private static int noticeDays(JsonNode body, Instant effective, Instant now) throws ApiException {
    JsonNode value = body.get("notice_days");
    if (value == null
        || !value.isIntegralNumber()
        || !value.canConvertToInt()
        || value.intValue() < 0
        || value.intValue() > MAX_NOTICE_DAYS) {
      throw ApiException.badParameter(
          "notice_days",
          "notice_days is required: the whole days before effective its organizations are told,"
              + " 0 to "
              + MAX_NOTICE_DAYS);
    }
    Instant noticeAt = effective.minus(Duration.ofDays(value.intValue()));
    if (noticeAt.isBefore(now)) {
      throw ApiException.badParameter(
          "notice_days",
          ("a notice of %d days before %s is due at %s, before now: give at most %d days, or a"
                  + " later effective")
              .formatted(
                  value.intValue(),
                  effective,
                  noticeAt,
                  Duration.between(now, effective).toDays()));
    }
    return value.intValue();
  }
}
