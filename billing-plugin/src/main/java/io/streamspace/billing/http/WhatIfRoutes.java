package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

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
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
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
 * amounts), {@code meters} (by id: a held or custom meter's prices) and {@code billing_mode}.
 */
public final class WhatIfRoutes {

  // the bodies and answers of these routes

  static final Schema WHAT_IF =
      Schema.component(
          "WhatIf",
          object()
              .req("period_start", string().format("date-time"))
              .req("period_end", string().format("date-time"))
              .req(
                  "accounts",
                  array(
                      object()
                          .req("org_id", string())
                          .req("currency", string())
                          .req("invoiced_total", number())
                          .req("what_if_total", number())
                          .req("delta", number())))
              .req(
                  "totals",
                  array(
                      object()
                          .req("currency", string())
                          .req("accounts", integer())
                          .req("invoiced_total", number())
                          .req("what_if_total", number())
                          .req("delta", number())
                          .req("increase", number())
                          .req("decrease", number())))
              .req(
                  "distribution",
                  object()
                      .req("more", integer())
                      .req("less", integer())
                      .req("same", integer())
                      .req(
                          "buckets",
                          array(
                              object()
                                  .req("bucket", string())
                                  .prop("from_percent", integer().orNull())
                                  .prop("to_percent", integer().orNull())
                                  .req("accounts", integer())))));

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

  public void register(DescribedRoutes routes) {
    routes.add(WHAT_IF_ROUTE, JsonRoute.of(this::whatIf));
  }

  static final Operation WHAT_IF_ROUTE =
      Operation.post("/admin/what-if")
          .admin()
          .summary("Re-rate a period's usage under changed prices (what-if)")
          .description(
              """
              Who: admin.

              The recorded usage of one billing period (`period_start`, `period_end`: ISO dates, \
              midnight in the billing zone, or instants; the start and end of one billing period, \
              closed or the current one) re-rated under changed prices, per organization, writing \
              nothing (one `READ ONLY` transaction). The changes are written as the billing config \
              takes them and read by its own parser, so a what-if accepts exactly what the config \
              accepts: `rates` (`computeRates`, e.g. `{"cpu_per_core_hour":0.10}`), \
              `currency_rates`, `meter_rates` (the counters' rates; a seat's price is `members`), \
              `currency_meter_rates`, `plans` (by plan id, the plan's members to change: `price`, \
              `prices`, `interval`, `cpu_limit`, `memory_limit`, `storage_limit`, `limits`), \
              `meters` (by meter id, a held or custom meter's `prices`) and `billing_mode`; an \
              object is merged over the config's member by member. Priced by \
              invoicing's own code: a usage record keeps the unit price it was rated at, and a \
              plan term the price and limits the plan had when the account moved onto it, unless \
              the what-if changes that resource's rate or that plan; everything else (mode, \
              counters, seats, included counters) comes from the changed config. With no change, \
              every organization's `what_if_total` equals its `invoiced_total` to the cent.

              Totals compared are charges before credits: a finalized invoice's subtotal; a draft, \
              or a period not drafted yet, as it would be finalized now. Per organization (opened \
              before the period's end, not closed before its start), in id order, streamed: \
              `accounts` (`org_id`, `currency`, `invoiced_total`, `what_if_total`, `delta`), then \
              `totals` per currency (`accounts`, the three sums, `increase`: Σ of the positive \
              deltas, `decrease`: Σ of the negative ones) and `distribution`: `more`, `less`, \
              `same` and `buckets` of the change relative to the invoiced total (`less_over_50`, \
              `less_20_to_50`, `less_10_to_20`, `less_5_to_10`, `less_up_to_5`, `same`, \
              `more_up_to_5`, `more_5_to_10`, `more_10_to_20`, `more_20_to_50`, `more_over_50`, \
              `more_from_nothing`: invoiced 0; a bucket holds its bound nearer zero). \
              `format=csv`: RFC 4180, columns \
              `kind,org_id,currency,invoiced_total,what_if_total,delta,accounts`: a row `account` \
              per organization, then `total` per currency, then `bucket` per bucket (its name in \
              `org_id`). 400 naming the field, nothing read: a body that is not an object, \
              `period_start`/`period_end` missing, malformed, not one billing period or after the \
              current one; `invalid_change` for an unknown member, an unknown plan (`plans.<id>`) \
              or meter (`meters.<id>`) and every value the config refuses \
              (`rates.cpu_per_core_hour`: unknown rate, negative price…; \
              `meters.gpu.prices.USD`), each in `details`.""")
          .params(Param.query("format", string().enumOf("json", "csv").defaultValue("json")))
          .body(
              object()
                  .additionalProperties(false)
                  .req("period_start", string())
                  .req("period_end", string())
                  .prop("rates", object())
                  .prop("currency_rates", object())
                  .prop("meter_rates", object())
                  .prop("currency_meter_rates", object())
                  .prop("plans", object())
                  .prop("meters", object())
                  .prop("billing_mode", string().enumOf("usage", "subscription", "hybrid")))
          .answers(
              200,
              Response.of(
                      """
                      the organizations, streamed, then the totals and the distribution""")
                  .json(WHAT_IF)
                  .content("text/csv", string()))
          .errors(400);

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
