package io.streamspace.billing.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.config.BillingConfigParser;
import io.streamspace.billing.config.ConfigChanges;
import io.streamspace.billing.config.ConfigParseResult;
import io.streamspace.billing.invoicing.Repricing;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.whatif.WhatIfFormat;
import io.streamspace.billing.whatif.WhatIfRun;
import io.streamspace.billing.whatif.WhatIfSummary;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.common.http.QueryParams;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpRoutes;
import io.streamspace.plugin.api.http.HttpStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code POST /admin/what-if}: the recorded usage of a billing period (a closed one or the
 * current one) re-rated under changed prices, per organization, with the totals and the
 * distribution, as JSON or CSV ({@code ?format=csv}), streamed ({@link WhatIfRun}); nothing is
 * written. The body names {@code period_start} and {@code period_end} (ISO dates or instants: the
 * start and end of one billing period) and the changes, each as the billing config would take it
 * ({@link ConfigChanges}): {@code rates}, {@code currency_rates}, {@code meter_rates} (seats:
 * {@code members}), {@code currency_meter_rates}, {@code plans} (by id: prices and included
 * amounts) and {@code billing_mode}.
 */
public final class WhatIfRoutes {

  private static final String PERIOD_START = "period_start";
  private static final String PERIOD_END = "period_end";

  private final WhatIfRun whatIf;
  private final Supplier<BillingConfig> config;
  private final Supplier<BillingConfigParser> parser;
  private final Clock clock;

  public WhatIfRoutes(
      WhatIfRun whatIf,
      Supplier<BillingConfig> config,
      Supplier<BillingConfigParser> parser,
      Clock clock) {
    this.whatIf = whatIf;
    this.config = config;
    this.parser = parser;
    this.clock = clock;
  }

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.POST, "/admin/what-if", JsonRoute.of(this::whatIf));
  }

  /**
   * 200 with the organizations, streamed, then the totals and the distribution; 401/403 unless
   * platform admin; 400 naming the field, before anything is read, for a body that is not an
   * object, a missing or malformed period, one that is not a billing period or starts after the
   * current one, an unknown member, and every change the config would refuse ({@code
   * rates.cpu_per_core_hour}, {@code plans.pro}: each in {@code details}).
   */
  HttpResponse whatIf(HttpRequest request) throws Exception {
    Access.admin(request);
    WhatIfFormat format =
        WhatIfFormat.named(QueryParams.of(request, "format").orElse("json"))
            .orElseThrow(() -> ApiException.badParameter("format", "format must be json or csv"));
    JsonNode body = Json.readObject(request);
    BillingConfig current = config.get();
    BillingPeriods periods = new BillingPeriods(current.invoiceDay(), current.billingTimeZone());
    Instant start = instant(body, PERIOD_START, current);
    Instant end = instant(body, PERIOD_END, current);
    if (!end.isAfter(start)) {
      throw ApiException.badParameter(PERIOD_END, "period_end must be after period_start");
    }
    if (!periods.periodStart(start).equals(start)) {
      throw ApiException.badParameter(
          PERIOD_START,
          "period_start must start a billing period (invoice day %d, %s); it starts %s"
              .formatted(
                  current.invoiceDay(), current.billingTimeZone(), periods.periodStart(start)));
    }
    if (!periods.periodEnd(start).equals(end)) {
      throw ApiException.badParameter(
          PERIOD_END, "period_end must end the billing period: " + periods.periodEnd(start));
    }
    if (start.isAfter(clock.instant())) {
      throw ApiException.badParameter(
          PERIOD_START, "period_start must be of a closed period or the current one");
    }
    ObjectNode changes = ((ObjectNode) body).deepCopy();
    changes.remove(List.of(PERIOD_START, PERIOD_END));
    ConfigParseResult changed = ConfigChanges.apply(current, parser.get(), changes);
    if (!changed.isValid()) {
      List<ApiException.Detail> details = new ArrayList<>();
      changed
          .problems()
          .forEach(p -> details.add(new ApiException.Detail(null, p.key(), p.message())));
      throw ApiException.invalid(
          "invalid_change", details.get(0).field() + ": " + details.get(0).message(), details);
    }
    Repricing repricing = new Repricing(current, changed.config());
    return HttpResponse.streamed(
        HttpStatus.OK,
        format.contentType(),
        format == WhatIfFormat.CSV
            ? Map.of(
                "Content-Disposition",
                "attachment; filename=\"what-if-%s.csv\""
                    .formatted(start.atZone(current.billingTimeZone()).toLocalDate()))
            : Map.of(),
        out -> {
          WhatIfFormat.Sheet sheet = format.open(out, start, end);
          WhatIfSummary summary = new WhatIfSummary();
          whatIf.run(
              start,
              end,
              repricing,
              account -> {
                summary.add(account);
                sheet.account(account);
              });
          sheet.close(summary);
        });
  }

  private static Instant instant(JsonNode body, String field, BillingConfig config)
      throws ApiException {
    JsonNode value = body.get(field);
    if (value == null || !value.isTextual()) {
      throw ApiException.badParameter(
          field,
          field + " is required: an ISO date (2026-03-01) or instant (2026-03-01T00:00:00Z)");
    }
    return TimeRange.instantOrDate(value.asText(), field, config.billingTimeZone());
  }
}
