package io.streamspace.billing.plans;

import com.fasterxml.jackson.core.JsonGenerator;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.invoicing.PlanTerm;
import io.streamspace.billing.invoicing.Repricing;
import io.streamspace.billing.json.JsonMapper;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.plans.PlanMigrations.Proposed;
import io.streamspace.billing.planversions.PlanVersion;
import io.streamspace.billing.whatif.WhatIfFormat;
import io.streamspace.billing.whatif.WhatIfRun;
import io.streamspace.billing.whatif.WhatIfSummary;
import java.io.OutputStream;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.function.Supplier;

/**
 * The preview of a plan migration: what each organization it would move would have paid on the
 * new version, over its last closed billing period and the current one so far, writing nothing.
 *
 * <p><b>The code that bills.</b> Each period is a what-if ({@link WhatIfRun}) of the organizations
 * the migration concerns ({@link PlanMigrations#ON_VERSION}, read in the what-if's snapshot) at
 * the prices in effect, their plan terms on {@code from_version} each priced as the term of {@code
 * to_version} the migration starts ({@link Repricing#onVersion}: its fee in the organization's
 * currency, its interval and what it includes) over the same time: so an organization's period
 * on the new version is priced by invoicing's own code, and what the preview says a period costs
 * on it is what an invoice of the same usage on it charges. Each period reads as {@code POST
 * /admin/what-if} answers one ({@link WhatIfFormat#object}): per organization, the totals per
 * currency and the distribution of the changes.
 */
public final class MigrationPreview {

  private static final NamedSql CHOSEN =
      NamedSql.of(
          "SELECT s.user_id "
              + PlanMigrations.ON_VERSION
              + " AND s.user_id > :after ORDER BY s.user_id LIMIT :limit");

  private final WhatIfRun whatIf;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public MigrationPreview(WhatIfRun whatIf, Supplier<BillingConfig> config, Clock clock) {
    this.whatIf = whatIf;
    this.config = config;
    this.clock = clock;
  }

  /**
   * Writes the preview: {@code {"plan_id", "from_version", "to_version", "effective_at",
   * "notice_at", "last_closed_period": what-if, "current_period": what-if}}.
   *
   * @param name the plan's name as the moved terms will carry it
   */
  public void write(OutputStream out, Proposed proposed, PlanVersion to, String name)
      throws Exception {
    BillingConfig current = config.get();
    List<Instant> bounds =
        new BillingPeriods(current.invoiceDay(), current.billingTimeZone())
            .lastPeriods(clock.instant(), 2);
    Repricing repricing =
        Repricing.onVersion(current, (term, currency) -> moved(term, currency, proposed, to, name));
    JsonGenerator json = JsonMapper.streaming(out);
    json.writeStartObject();
    json.writeStringField("plan_id", proposed.planId());
    json.writeNumberField("from_version", proposed.fromVersion());
    json.writeNumberField("to_version", proposed.toVersion());
    json.writeStringField("effective_at", proposed.effectiveAt().toString());
    json.writeStringField("notice_at", proposed.noticeAt().toString());
    json.writeFieldName("last_closed_period");
    period(json, bounds.get(0), bounds.get(1), repricing, proposed);
    json.writeFieldName("current_period");
    period(json, bounds.get(1), bounds.get(2), repricing, proposed);
    json.writeEndObject();
    json.close(); // flushes; the host closes the stream
  }

  private void period(
      JsonGenerator json, Instant start, Instant end, Repricing repricing, Proposed proposed)
      throws Exception {
    WhatIfFormat.Sheet sheet = WhatIfFormat.object(json, start, end);
    WhatIfSummary summary = new WhatIfSummary();
    whatIf.run(
        start,
        end,
        repricing,
        (connection, after, limit) -> {
          List<String> ids = new ArrayList<>();
          try (PreparedStatement statement =
                  CHOSEN
                      .bind("plan_id", proposed.planId())
                      .bind("from_version", proposed.fromVersion())
                      .bind("after", after)
                      .bind("limit", limit)
                      .prepare(connection);
              ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
              ids.add(rs.getString(1));
            }
          }
          return ids;
        },
        account -> {
          summary.add(account);
          sheet.account(account);
        });
    sheet.close(summary);
  }

  /**
   * A term on {@code from_version} of the plan as the migration's term of {@code to} over the
   * same time; any other term as it is (and one in a currency {@code to} does not price, which
   * the migration would leave).
   */
  private static PlanTerm moved(
      PlanTerm term, Currency currency, Proposed proposed, PlanVersion to, String name) {
    if (!term.planId().equals(proposed.planId())
        || term.version() == null
        || term.version() != proposed.fromVersion()) {
      return term;
    }
    return to.terms()
        .priceIn(currency)
        .map(price -> MigrationRuns.termOf(to, name, price, term.from(), term.to()))
        .orElse(term);
  }
}
