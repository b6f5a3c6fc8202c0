package io.streamspace.billing.whatif;

import com.fasterxml.jackson.core.JsonGenerator;
import io.streamspace.billing.json.JsonMapper;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.reports.ReportFormat;
import io.streamspace.billing.whatif.WhatIfSummary.Bucket;
import io.streamspace.billing.whatif.WhatIfSummary.Total;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.commons.csv.CSVPrinter;

/**
 * How a what-if is written, an organization at a time as it is priced, the totals and the
 * distribution at the end (they are known only then).
 *
 * <p>JSON: {@code {"period_start", "period_end", "accounts": [{"org_id", "currency",
 * "invoiced_total", "what_if_total", "delta"}…], "totals": [{"currency", "accounts",
 * "invoiced_total", "what_if_total", "delta", "increase", "decrease"}…], "distribution":
 * {"more", "less", "same", "buckets": [{"bucket", "from_percent", "to_percent", "accounts"}…]}}}
 * ({@link WhatIfSummary}). CSV (RFC 4180): the columns {@code kind, org_id, currency,
 * invoiced_total, what_if_total, delta, accounts}; a row of kind {@code account} per
 * organization, then one of kind {@code total} per currency (its organizations in {@code
 * accounts}), then one of kind {@code bucket} per bucket of the distribution (its name in {@code
 * org_id}, its organizations in {@code accounts}). Amounts with the currency's decimals.
 */
public enum WhatIfFormat {
  CSV("text/csv; charset=utf-8") {
    @Override
    public Sheet open(OutputStream out, Instant start, Instant end) throws IOException {
      CSVPrinter printer =
          ReportFormat.csvPrinter(
              out,
              List.of(
                  "kind",
                  "org_id",
                  "currency",
                  "invoiced_total",
                  "what_if_total",
                  "delta",
                  "accounts"));
      return new Sheet() {
        @Override
        public void account(AccountDelta a) throws IOException {
          Currency c = a.currency();
          printer.printRecord(
              "account",
              ReportFormat.inert(a.orgId()),
              c.getCurrencyCode(),
              plain(a.invoicedTotal(), c),
              plain(a.whatIfTotal(), c),
              plain(a.delta(), c),
              "");
        }

        @Override
        public void close(WhatIfSummary summary) throws IOException {
          for (Total t : summary.totals()) {
            Currency c = t.currency();
            printer.printRecord(
                "total",
                "",
                c.getCurrencyCode(),
                plain(t.invoicedTotal(), c),
                plain(t.whatIfTotal(), c),
                plain(t.delta(), c),
                t.accounts());
          }
          for (Bucket b : Bucket.values()) {
            printer.printRecord("bucket", b.label(), "", "", "", "", summary.count(b));
          }
          printer.close(true); // flushes; the host closes the stream
        }
      };
    }
  },
  JSON("application/json") {
    @Override
    public Sheet open(OutputStream out, Instant start, Instant end) throws IOException {
      JsonGenerator json = JsonMapper.streaming(out);
      Sheet object = object(json, start, end);
      return new Sheet() {
        @Override
        public void account(AccountDelta a) throws IOException {
          object.account(a);
        }

        @Override
        public void close(WhatIfSummary summary) throws IOException {
          object.close(summary);
          json.close(); // flushes; the host closes the stream
        }
      };
    }
  };

  /**
   * A what-if written by {@code json} as one JSON object ({@link #JSON}'s), the generator left
   * open for what follows it: a plan migration's preview writes two, a period each.
   */
  public static Sheet object(JsonGenerator json, Instant start, Instant end) throws IOException {
    json.writeStartObject();
    json.writeStringField("period_start", start.toString());
    json.writeStringField("period_end", end.toString());
    json.writeArrayFieldStart("accounts");
    return new Sheet() {
      @Override
      public void account(AccountDelta a) throws IOException {
        Currency c = a.currency();
        json.writeStartObject();
        json.writeStringField("org_id", a.orgId());
        json.writeStringField("currency", c.getCurrencyCode());
        number(json, "invoiced_total", a.invoicedTotal(), c);
        number(json, "what_if_total", a.whatIfTotal(), c);
        number(json, "delta", a.delta(), c);
        json.writeEndObject();
      }

      @Override
      public void close(WhatIfSummary summary) throws IOException {
        json.writeEndArray();
        json.writeArrayFieldStart("totals");
        for (Total t : summary.totals()) {
          Currency c = t.currency();
          json.writeStartObject();
          json.writeStringField("currency", c.getCurrencyCode());
          json.writeNumberField("accounts", t.accounts());
          number(json, "invoiced_total", t.invoicedTotal(), c);
          number(json, "what_if_total", t.whatIfTotal(), c);
          number(json, "delta", t.delta(), c);
          number(json, "increase", t.increase(), c);
          number(json, "decrease", t.decrease(), c);
          json.writeEndObject();
        }
        json.writeEndArray();
        json.writeObjectFieldStart("distribution");
        json.writeNumberField("more", summary.more());
        json.writeNumberField("less", summary.less());
        json.writeNumberField("same", summary.same());
        json.writeArrayFieldStart("buckets");
        for (Bucket b : Bucket.values()) {
          json.writeStartObject();
          json.writeStringField("bucket", b.label());
          percent(json, "from_percent", b.fromPercent());
          percent(json, "to_percent", b.toPercent());
          json.writeNumberField("accounts", summary.count(b));
          json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
        json.writeEndObject();
      }
    };
  }

  /** Writes organizations as they come; {@link #close} writes the summary and ends it. */
  public interface Sheet {
    void account(AccountDelta account) throws IOException;

    void close(WhatIfSummary summary) throws IOException;
  }

  private final String contentType;

  WhatIfFormat(String contentType) {
    this.contentType = contentType;
  }

  public abstract Sheet open(OutputStream out, Instant start, Instant end) throws IOException;

  public String contentType() {
    return contentType;
  }

  /** The format named by a {@code format} value ({@code json}, {@code csv}), if any. */
  public static Optional<WhatIfFormat> named(String name) {
    return Arrays.stream(values())
        .filter(f -> f.name().toLowerCase(Locale.ROOT).equals(name))
        .findFirst();
  }

  private static String plain(BigDecimal amount, Currency currency) {
    return Money.shown(amount, currency).toPlainString();
  }

  private static void number(JsonGenerator json, String name, BigDecimal value, Currency c)
      throws IOException {
    json.writeFieldName(name);
    json.writeNumber(Money.shown(value, c));
  }

  private static void percent(JsonGenerator json, String name, Integer value) throws IOException {
    if (value == null) {
      json.writeNullField(name);
    } else {
      json.writeNumberField(name, value);
    }
  }
}
