package io.streamspace.billing.invoicing;

import io.streamspace.billing.json.JsonMapper;
import io.streamspace.billing.money.Money;
import io.streamspace.plugin.api.event.EventPublisher;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Publishes {@code billing.invoice.created}, {@code .paid} and {@code .overdue}. Callers publish
 * only after the change has committed, so no event ever tells of a change that was rolled back.
 */
public final class InvoiceEvents {

  private final EventPublisher publisher;

  public InvoiceEvents(EventPublisher publisher) {
    this.publisher = publisher;
  }

  /** A finalized invoice (and, when its total is zero, its payment). */
  void finalized(Invoice invoice) {
    publish("billing.invoice.created", invoice);
    if (invoice.status() == InvoiceStatus.PAID) {
      paid(invoice);
    }
  }

  void paid(Invoice invoice) {
    publish("billing.invoice.paid", invoice);
  }

  void overdue(Invoice invoice) {
    publish("billing.invoice.overdue", invoice);
  }

  private void publish(String type, Invoice invoice) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("invoice_id", invoice.id());
    payload.put("invoice_number", invoice.invoiceNumber());
    payload.put("user_id", invoice.userId());
    payload.put("status", invoice.status().value());
    payload.put("total", Money.shown(invoice.total(), invoice.currency()));
    payload.put("currency", invoice.currency().getCurrencyCode());
    payload.put("period_start", invoice.periodStart());
    payload.put("period_end", invoice.periodEnd());
    payload.put("due_at", invoice.dueAt());
    publisher.publish(type, JsonMapper.write(payload));
  }
}
