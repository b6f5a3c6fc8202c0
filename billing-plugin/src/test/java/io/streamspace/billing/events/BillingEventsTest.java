package io.streamspace.billing.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.credits.Credit;
import io.streamspace.billing.invoicing.Invoice;
import io.streamspace.billing.invoicing.InvoiceStatus;
import io.streamspace.billing.packs.Purchase;
import io.streamspace.plugin.api.event.EventPublisher;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BillingEventsTest {

  private static final Instant START = Instant.parse("2026-11-01T00:00:00Z");
  private static final Instant END = Instant.parse("2026-12-01T00:00:00Z");

  private final List<String> published = new ArrayList<>();
  private final BillingEvents events =
      new BillingEvents((type, payload) -> published.add(type + " " + payload));

  @Test
  void anInvoiceEventTellsTheInvoiceWithItsCurrencysDecimalsInSnakeCase() {
    Invoice invoice =
        new Invoice(
            7,
            "INV-2026-000001",
            "alice",
            START,
            END,
            InvoiceStatus.SENT,
            Currency.getInstance("USD"),
            new BigDecimal("1.41"),
            new BigDecimal("0.5"),
            BigDecimal.ZERO,
            new BigDecimal("0.91"),
            END,
            Instant.parse("2026-12-15T00:00:00Z"),
            null);

    events.invoicesFinalized(List.of(invoice.event()));
    events.invoicePaid(invoice.event());
    events.invoiceOverdue(invoice.event());

    String payload =
        """
        {"invoice_id":7,"invoice_number":"INV-2026-000001","user_id":"alice","status":"sent",\
        "total":0.91,"currency":"USD","period_start":"2026-11-01T00:00:00Z",\
        "period_end":"2026-12-01T00:00:00Z","due_at":"2026-12-15T00:00:00Z"}""";
    assertEquals(
        List.of(
            "billing.invoice.created " + payload,
            "billing.invoice.paid " + payload,
            "billing.invoice.overdue " + payload),
        published);
  }

  @Test
  void invoicesFinalizedTogetherAreToldInOnePublishing_aPaidOnesPaymentRightAfterItsCreation() {
    List<List<String>> publishings = new ArrayList<>();
    BillingEvents batched =
        new BillingEvents(
            new EventPublisher() {
              @Override
              public void publish(String type, String payloadJson) {
                publishings.add(List.of(type));
              }

              @Override
              public void publishAll(List<Event> all) {
                publishings.add(all.stream().map(Event::type).toList());
              }
            });
    InvoiceEvent sent = event(1, "sent");
    InvoiceEvent paid = event(2, "paid"); // a credit paid it all

    batched.invoicesFinalized(List.of(sent, paid, event(3, "sent")));

    assertEquals(
        List.of(
            List.of(
                "billing.invoice.created",
                "billing.invoice.created",
                "billing.invoice.paid",
                "billing.invoice.created")),
        publishings);
  }

  private static InvoiceEvent event(long id, String status) {
    return new InvoiceEvent(
        id, "INV-" + id, "alice", status, BigDecimal.ONE, "USD", START, END, END);
  }

  @Test
  void aPackPurchaseTellsThePurchaseAsBoughtInSnakeCase() {
    events.publish(
        BillingEvents.PACK_PURCHASED,
        new Purchase(
            3,
            "alice",
            "slots-5",
            "5 job slots",
            "one_time",
            Map.of("active_sessions", new BigDecimal("5")),
            new BigDecimal("5.00"),
            "USD",
            30,
            START,
            START,
            END,
            null,
            null,
            true,
            List.of(
                new Purchase.Event(
                    "bought", START, new BigDecimal("5.00"), START, END, null, false))));

    assertEquals(
        List.of(
            """
            billing.pack.purchased {"id":3,"user_id":"alice","pack_id":"slots-5",\
            "pack_name":"5 job slots","kind":"one_time","adds":{"active_sessions":5},\
            "price":5.00,"currency":"USD","valid_days":30,"purchased_at":"2026-11-01T00:00:00Z",\
            "valid_from":"2026-11-01T00:00:00Z","valid_until":"2026-12-01T00:00:00Z",\
            "cancelled_at":null,"refunded_at":null,"active":true,"history":[{"kind":"bought",\
            "at":"2026-11-01T00:00:00Z","amount":5.00,"valid_from":"2026-11-01T00:00:00Z",\
            "valid_until":"2026-12-01T00:00:00Z","invoice_id":null,"paid":false}]}"""),
        published);
  }

  @Test
  void aZeroDecimalCurrencyShowsWholeAmounts() {
    Invoice invoice =
        new Invoice(
            8,
            "INV-2026-000002",
            "bao",
            START,
            END,
            InvoiceStatus.PAID,
            Currency.getInstance("VND"),
            BigDecimal.ZERO,
            BigDecimal.ZERO,
            BigDecimal.ZERO,
            BigDecimal.ZERO,
            END,
            END,
            END);

    assertEquals(new BigDecimal("0"), invoice.event().total());
    assertEquals("VND", invoice.event().currency());
    assertEquals("paid", invoice.event().status());
  }

  @Test
  void aCreditGrantedEventTellsTheCreditAsStored() {
    events.publish(
        BillingEvents.CREDIT_GRANTED,
        new Credit(
            3,
            "ann",
            new BigDecimal("12.50"),
            new BigDecimal("12.50"),
            "USD",
            "outage \"A\"",
            "root",
            Instant.parse("2026-03-10T12:00:00Z"),
            null,
            "admin"));

    assertEquals(
        List.of(
            """
            billing.credit.granted {"id":3,"user_id":"ann","amount":12.50,"remaining":12.50,\
            "currency":"USD","reason":"outage \\"A\\"","granted_by":"root",\
            "granted_at":"2026-03-10T12:00:00Z","expires_at":null,"kind":"admin"}"""),
        published);
  }

  @Test
  void aSubscriptionChangedEventTellsBothPlansAndTheNewPrice() {
    events.subscriptionChanged(
        new SubscriptionChanged(
            "ann", "pro", "enterprise", new BigDecimal("99.99"), "USD", END, null));

    assertEquals(
        List.of(
            """
            billing.subscription.changed {"user_id":"ann","previous_plan_id":"pro",\
            "plan_id":"enterprise","price":99.99,"currency":"USD",\
            "changed_at":"2026-12-01T00:00:00Z","trial_ends_at":null}"""),
        published);
  }
}
