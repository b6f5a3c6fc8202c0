package io.streamspace.billing.invoicing;

import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.events.InvoiceEvent;
import io.streamspace.plugin.api.metrics.PluginMetrics;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What others are told of finalized invoices: the audit trail in the finalizing transaction
 * ({@link #audit}, one statement a chunk), then, once it committed, the host's events and the
 * finalized count by currency ({@link #published}).
 */
final class FinalizationNotices {

  private final BillingEvents events;
  private final PluginMetrics metrics;

  /** @param metrics where finalized invoices are counted, by currency */
  FinalizationNotices(BillingEvents events, PluginMetrics metrics) {
    this.events = events;
    this.metrics = metrics;
  }

  /**
   * Tells of finalized invoices, in one publishing, and, of each with nothing to pay, of its
   * payment; counts them.
   */
  void published(List<Invoice> invoices) {
    List<InvoiceEvent> told = new ArrayList<>(invoices.size());
    for (Invoice invoice : invoices) {
      metrics
          .counter("invoices.finalized", "currency", invoice.currency().getCurrencyCode())
          .increment();
      told.add(invoice.event());
    }
    events.invoicesFinalized(told);
  }

  /** The chunk's {@code invoice.finalized} entries in one statement: the drafts, as finalized. */
  static void audit(
      Connection connection,
      List<Invoice> drafts,
      List<Invoice> finalized,
      Instant now,
      Cause cause)
      throws SQLException {
    Map<Long, Invoice> before = new HashMap<>();
    drafts.forEach(d -> before.put(d.id(), d));
    List<AuditEntry> entries = new ArrayList<>(finalized.size());
    for (Invoice invoice : finalized) {
      entries.add(
          new AuditEntry(
              now,
              cause,
              invoice.orgId(),
              AuditKinds.INVOICE_FINALIZED,
              invoice.subject(),
              before.get(invoice.id()).audited(),
              invoice.audited()));
    }
    AuditTrail.recordAll(connection, entries);
  }
}
