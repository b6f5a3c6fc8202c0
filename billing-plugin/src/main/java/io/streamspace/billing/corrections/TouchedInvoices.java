package io.streamspace.billing.corrections;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.invoicing.AddedUsage;
import io.streamspace.billing.invoicing.Invoice;
import io.streamspace.billing.invoicing.InvoiceStatus;
import io.streamspace.billing.invoicing.PeriodInvoices;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.money.UsageUnit;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The invoices a correction may change the money of, each organization's from the billing period
 * of the earliest instant its entries name to the period holding now: its invoices of those
 * periods that are not void, and each period's part none covers yet as the draft
 * generate-invoices would make of it (id 0: from the latest end of its invoices in it), in order,
 * so that the usage of a period not invoiced is priced on the first of them that would bill it, as
 * a what-if prices it. And, for each finalized one, the corrections' usage it holds besides what
 * it billed ({@code billing_correction_usage}).
 */
final class TouchedInvoices {

  private static final NamedSql CORRECTED =
      NamedSql.of(
          """
          SELECT invoice_id, resource_type, slice_start, unit_seconds, unit_price, activity,
                 unit_seconds * coalesce(full_price - unit_price, 0)
          FROM billing_correction_usage WHERE invoice_id = ANY (:ids::text[]::bigint[])""");

  private TouchedInvoices() {}

  /**
   * Each organization's invoices from the period of its earliest instant to the one holding
   * {@code now}, by organization then period; {@code currency} the organization's.
   */
  static List<Invoice> of(
      Connection connection,
      Map<String, Instant> earliest,
      Map<String, Currency> currency,
      BillingPeriods periods,
      Instant now)
      throws SQLException {
    List<Invoice> touched = new ArrayList<>();
    Instant end = periods.periodEnd(now);
    for (Map.Entry<String, Instant> org : earliest.entrySet()) {
      Instant from = periods.periodStart(org.getValue());
      List<Invoice> invoices = PeriodInvoices.of(connection, List.of(org.getKey()), from, end);
      for (Instant start = from; start.isBefore(end); start = periods.periodEnd(start)) {
        Instant periodEnd = periods.periodEnd(start);
        Instant covered = start;
        for (Invoice invoice : invoices) {
          if (invoice.periodStart().isBefore(periodEnd) && invoice.periodEnd().isAfter(start)) {
            if (!touched.contains(invoice)) {
              touched.add(invoice);
            }
            covered = invoice.periodEnd().isAfter(covered) ? invoice.periodEnd() : covered;
          }
        }
        if (covered.isBefore(periodEnd)) { // not drafted yet: as generate-invoices would draft it
          touched.add(notOpened(org.getKey(), currency.get(org.getKey()), covered, periodEnd));
        }
      }
    }
    return touched;
  }

  /** Whether a correction's difference of this invoice is a credit note or a charge. */
  static boolean finalized(Invoice invoice) {
    return invoice.id() != 0
        && invoice.status() != InvoiceStatus.DRAFT
        && invoice.status() != InvoiceStatus.VOID;
  }

  /** The corrections' usage each finalized invoice of {@code invoices} holds, by invoice id. */
  static Map<Long, List<AddedUsage>> corrected(Connection connection, List<Invoice> invoices)
      throws SQLException {
    Map<Long, List<AddedUsage>> added = new HashMap<>();
    List<Long> ids = invoices.stream().filter(TouchedInvoices::finalized).map(Invoice::id).toList();
    if (ids.isEmpty()) {
      return added;
    }
    try (PreparedStatement statement =
            CORRECTED.bind("ids", SqlArrays.array(connection, ids, id -> id)).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        added
            .computeIfAbsent(rs.getLong(1), id -> new ArrayList<>())
            .add(
                new AddedUsage(
                    UsageUnit.ofResourceType(rs.getString(2)),
                    rs.getTimestamp(3).toInstant(),
                    rs.getBigDecimal(4),
                    rs.getBigDecimal(5),
                    rs.getString(6),
                    rs.getBigDecimal(7)));
      }
    }
    return added;
  }

  private static Invoice notOpened(String orgId, Currency currency, Instant from, Instant to) {
    return new Invoice(
        0,
        null,
        orgId,
        from,
        to,
        InvoiceStatus.DRAFT,
        currency,
        BigDecimal.ZERO,
        null,
        null,
        null,
        null,
        null,
        null);
  }
}
