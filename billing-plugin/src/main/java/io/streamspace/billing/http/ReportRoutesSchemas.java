package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

/** The bodies and answers of {@link ReportRoutes}'s routes, declared for its operations. */
final class ReportRoutesSchemas {

  private ReportRoutesSchemas() {}

  static final Schema REPORT_ROW =
      Schema.component(
          "ReportRow",
          object()
              .prop("user_id", string())
              .prop("day", string().format("date"))
              .prop("plan_id", string().orNull())
              .prop(
                  "member_id",
                  string()
                      .orNull()
                      .description(
                          """
                          Grouped by member: the member; null for the organization's part."""))
              .req("currency", string())
              .req("resource_type", string())
              .req("unit", string())
              .req("unit_price", number())
              .req("quantity", number())
              .req("cost", number())
              .prop(
                  "activity",
                  string()
                      .description(
                          """
                          idle or disconnected: time priced at its activityRates factor; \
                          hibernated: a hibernated session's time, at nothing. Absent on time at \
                          the full price (the CSV's column empty)"""))
              .prop(
                  "saved",
                  number()
                      .description(
                          """
                          Such a row's saving: what its time would have cost at the full price \
                          less its cost, rounded once""")));

  static final Schema REPORT =
      Schema.component(
          "Report",
          object()
              .req("from", string().format("date-time"))
              .req("to", string().format("date-time"))
              .req("group_by", string())
              .req("rows", array(REPORT_ROW))
              .prop(
                  "next_after",
                  string()
                      .orNull()
                      .description(
                          """
                          on a page (limit given): the id the next page starts after; null on the \
                          last page. Absent from a whole report.""")));
}
