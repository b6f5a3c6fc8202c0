package io.streamspace.billing.events;

import io.streamspace.billing.json.JsonMapper;
import io.streamspace.plugin.api.event.EventPublisher;
import java.util.ArrayList;
import java.util.List;

/**
 * The events the billing plugin publishes to the platform: their names, and their payloads
 * written in the plugin's JSON ({@link JsonMapper}: snake_case, plain decimals, ISO-8601
 * instants). The domain code calls it once the change an event tells of has committed, so no event
 * ever tells of a change that was rolled back; routes never publish.
 *
 * <p>It knows no feature's types, so that every feature can publish through it: a feature whose
 * event tells of its own stored record (a credit, a pack purchase, a payment) hands that record
 * to {@link #publish} under the event's name; the others build one of the plain records of this
 * package.
 *
 * <p>Its constants are the one list of the events the plugin publishes: every name is one of
 * them, none is written anywhere else in the plugin, and the table of events in
 * docs/connecting-your-platform.md ("What to act on") names exactly these
 * ({@code PublishedEventsTableTest}). A name is on the wire: it never changes.
 */
public final class BillingEvents {

  /** An invoice was finalized: it has its number and its due date. */
  public static final String INVOICE_CREATED = "billing.invoice.created";

  /**
   * A credit note was issued on an invoice: the note as its invoice's {@code credit_notes} show
   * it (number, lines, amount, tax, total, what it lowered of the amount due, refund, reason).
   */
  public static final String CREDIT_NOTE_ISSUED = "billing.credit_note.issued";

  /** An invoice was paid (or finalized with nothing to pay). */
  public static final String INVOICE_PAID = "billing.invoice.paid";

  /** A sent invoice passed its due date unpaid. */
  public static final String INVOICE_OVERDUE = "billing.invoice.overdue";

  /** An admin granted a credit, now stored. */
  public static final String CREDIT_GRANTED = "billing.credit.granted";

  /**
   * Money was put on an organization's prepaid balance (an admin's grant, a Checkout top-up, an
   * auto top-up): the balance and the entry that changed it.
   */
  public static final String BALANCE_TOPPED_UP = "billing.balance.topped_up";

  /**
   * An auto top-up could not charge the organization's saved payment method: {@link
   * TopUpFailed} (each declined attempt; no payment method or the monthly cap once a crossing).
   */
  public static final String TOP_UP_FAILED = "billing.top_up.failed";

  /**
   * A prepaid organization's balance runway fell under warnMinutes while it runs sessions: the
   * balance, the runway and the sessions concerned ({@link BalanceLow}), once until the runway
   * is back above it.
   */
  public static final String BALANCE_LOW = "billing.balance.low";

  /**
   * A prepaid organization's balance is spent: its sessions were suspended with a snapshot
   * ({@code reason} {@code balance_exhausted}), billed for storage only until they resume.
   */
  public static final String SESSION_SUSPENDED = "billing.session.suspended";

  /** Money arrived on a spent balance: the sessions suspended for it resume. */
  public static final String SESSION_RESUMED = "billing.session.resumed";

  /**
   * A session idle or disconnected for hibernateAfterIdleMinutes was suspended (reason {@code
   * hibernated}), billed for storage only until the platform reports it active again.
   */
  public static final String SESSION_HIBERNATED = "billing.session.hibernated";

  /**
   * An organization redeemed a promotion code (its Owner, or a plan Checkout's completion): the
   * redemption, with the coupon's terms and the billing periods it discounts.
   */
  public static final String COUPON_REDEEMED = "billing.coupon.redeemed";

  /** An account moved to another plan. */
  public static final String SUBSCRIPTION_CHANGED = "billing.subscription.changed";

  /**
   * An organization's plan moves to another version of it at an instant (a plan migration):
   * published notice_days before it, once per organization ({@link PlanMigrationNotice}).
   */
  public static final String PLAN_MIGRATION_SCHEDULED = "billing.plan.migration_scheduled";

  /**
   * A plan migration an organization was told of was cancelled before it took effect ({@link
   * PlanMigrationCancelled}).
   */
  public static final String PLAN_MIGRATION_CANCELLED = "billing.plan.migration_cancelled";

  /**
   * An organization's trial of a plan ends in three days ({@link TrialWillEnd}), once per trial,
   * saying whether it will convert.
   */
  public static final String TRIAL_WILL_END = "billing.trial.will_end";

  /**
   * An organization's trial of a plan ended ({@link TrialEnded}): converted, lapsed to the
   * default plan, or ended by a change of plan before its end.
   */
  public static final String TRIAL_ENDED = "billing.trial.ended";

  /** An account's use of a meter reached the alert threshold of its limit (once a period). */
  public static final String QUOTA_WARNING = "billing.quota.warning";

  /** An account's use of a meter reached its limit (once a period). */
  public static final String QUOTA_EXCEEDED = "billing.quota.exceeded";

  /** An account's sessions were suspended: over a limit past the grace, or its spending limit. */
  public static final String ACCOUNT_SUSPENDED = "billing.account.suspended";

  /** A suspended account's hold was lifted. */
  public static final String ACCOUNT_RESUMED = "billing.account.resumed";

  /** An account was locked read-only for an invoice overdue past the payment grace. */
  public static final String ACCOUNT_LOCKED = "billing.account.locked";

  /** A locked account was unlocked: paid, or by an admin. */
  public static final String ACCOUNT_UNLOCKED = "billing.account.unlocked";

  /** An account bought a capacity pack, now stored. */
  public static final String PACK_PURCHASED = "billing.pack.purchased";

  /** A one-time pack's validity ends in packExpiryNoticeDays or less (once per end). */
  public static final String PACK_EXPIRING = "billing.pack.expiring";

  /** A one-time pack's validity ended without a renewal (once per end). */
  public static final String PACK_EXPIRED = "billing.pack.expired";

  /** An organization may now apply a store item it bought: {@link EntitlementEvent}. */
  public static final String ENTITLEMENT_GRANTED = "billing.entitlement.granted";

  /** A store item's access ended (its time ran out, or a refund): {@link EntitlementEvent}. */
  public static final String ENTITLEMENT_EXPIRED = "billing.entitlement.expired";

  /** The period's estimated cost reached the spending limit's warning percent. */
  public static final String SPEND_WARNING = "billing.spend.warning";

  /** The period's estimated cost reached the spending limit. */
  public static final String SPEND_REACHED = "billing.spend.reached";

  /** A Stripe payment of an invoice failed (once per failure Stripe reports). */
  public static final String PAYMENT_FAILED = "billing.payment.failed";

  /**
   * A team organization's ownership was transferred through the plugin ({@code POST
   * /ownership-transfer}): the new Owner and the previous Owners, now Admins, for the platform
   * to mirror.
   */
  public static final String OWNERSHIP_TRANSFERRED = "billing.org.ownership_transferred";

  /**
   * An organization event was kept but not applied: it would have left the organization without
   * an Owner, or it is a second org.created (once, when the plugin first refuses it).
   */
  public static final String MEMBERSHIP_REFUSED = "billing.org.membership_refused";

  /**
   * An organization event refused before applies after all: an event that arrived later shows
   * another Owner earlier by event time ({@code reason}: why it had been refused).
   */
  public static final String MEMBERSHIP_APPLIED = "billing.org.membership_applied";

  /**
   * An organization on a lead plan became a sales lead for a reason: near its limits, at a hard
   * limit, or its members grew (once per organization, reason and 30-day window).
   */
  public static final String LEAD_DETECTED = "billing.lead.detected";

  /** A plan Checkout completed but refused: the organization changed plan or is locked. */
  public static final String CHECKOUT_REFUSED = "billing.checkout.refused";

  /**
   * A draft's tax could not be calculated by Stripe Tax: it stays a draft and is calculated again
   * at the next run (once per reason in a row).
   */
  public static final String INVOICE_TAX_FAILED = "billing.invoice.tax_failed";

  /**
   * A signed checkpoint of the audit chains (every chain's head), every auditCheckpointMinutes
   * while a checkpoint key is set, or asked for by an admin: for the platform to keep outside the
   * billing database and hand back to {@code POST /admin/audit/verify}.
   */
  public static final String AUDIT_CHECKPOINT = "billing.audit.checkpoint";

  /**
   * The forecast's p50 path crosses a budget (an organization's, or a member's) before the
   * billing period ends: once per budget and period ({@link BudgetAlert}).
   */
  public static final String BUDGET_FORECAST_EXCEEDED = "billing.budget.forecast_exceeded";

  /**
   * A closed billing period would have cost the organization more than adviceMinSaving less on
   * another plan or with a pack: once per organization and period ({@link AdviceAvailable}).
   */
  public static final String ADVICE_AVAILABLE = "billing.advice.available";

  /**
   * An admin's usage correction was applied: what it changed of the organization's usage, why,
   * and the money, per invoice (a period not invoiced yet bills the corrected usage; a finalized
   * one gets a credit note or a correction line on the next invoice).
   */
  public static final String USAGE_CORRECTED = "billing.usage.corrected";

  private final EventPublisher publisher;

  public BillingEvents(EventPublisher publisher) {
    this.publisher = publisher;
  }

  /**
   * Tells of invoices just finalized, in one publishing (a chunk of an invoice run: one write in
   * the host, not one an invoice): each one's {@link #INVOICE_CREATED}, followed by its {@link
   * #INVOICE_PAID} when it was paid at once (nothing left to pay).
   */
  public void invoicesFinalized(List<InvoiceEvent> invoices) {
    List<EventPublisher.Event> told = new ArrayList<>();
    for (InvoiceEvent invoice : invoices) {
      String payload = JsonMapper.write(invoice);
      told.add(new EventPublisher.Event(INVOICE_CREATED, payload));
      if ("paid".equals(invoice.status())) { // InvoiceEvent's status of a paid invoice
        told.add(new EventPublisher.Event(INVOICE_PAID, payload));
      }
    }
    publisher.publishAll(told);
  }

  public void invoicePaid(InvoiceEvent invoice) {
    publish(INVOICE_PAID, invoice);
  }

  public void invoiceOverdue(InvoiceEvent invoice) {
    publish(INVOICE_OVERDUE, invoice);
  }

  public void subscriptionChanged(SubscriptionChanged change) {
    publish(SUBSCRIPTION_CHANGED, change);
  }

  public void planMigrationScheduled(PlanMigrationNotice notice) {
    publish(PLAN_MIGRATION_SCHEDULED, notice);
  }

  public void planMigrationCancelled(PlanMigrationCancelled cancelled) {
    publish(PLAN_MIGRATION_CANCELLED, cancelled);
  }

  public void trialWillEnd(TrialWillEnd notice) {
    publish(TRIAL_WILL_END, notice);
  }

  public void trialEnded(TrialEnded ended) {
    publish(TRIAL_ENDED, ended);
  }

  /** A hold was placed or lifted; {@code name} is the reason's event (see HoldReason). */
  public void accountHoldChanged(String name, AccountHoldChanged change) {
    publish(name, change);
  }

  public void balanceLow(BalanceLow low) {
    publish(BALANCE_LOW, low);
  }

  public void packExpiring(PackExpiry expiry) {
    publish(PACK_EXPIRING, expiry);
  }

  public void packExpired(PackExpiry expiry) {
    publish(PACK_EXPIRED, expiry);
  }

  public void entitlementGranted(EntitlementEvent entitlement) {
    publish(ENTITLEMENT_GRANTED, entitlement);
  }

  public void entitlementExpired(EntitlementEvent entitlement) {
    publish(ENTITLEMENT_EXPIRED, entitlement);
  }

  /** {@link #MEMBERSHIP_REFUSED}, or {@link #MEMBERSHIP_APPLIED} when the refusal was lifted. */
  public void membershipRefusal(MembershipRefused refusal) {
    publish(refusal.refused() ? MEMBERSHIP_REFUSED : MEMBERSHIP_APPLIED, refusal);
  }

  public void taxFailed(TaxFailedEvent failure) {
    publish(INVOICE_TAX_FAILED, failure);
  }

  public void leadDetected(LeadDetected lead) {
    publish(LEAD_DETECTED, lead);
  }

  public void spendWarning(SpendAlert alert) {
    publish(SPEND_WARNING, alert);
  }

  public void spendReached(SpendAlert alert) {
    publish(SPEND_REACHED, alert);
  }

  public void budgetForecastExceeded(BudgetAlert alert) {
    publish(BUDGET_FORECAST_EXCEEDED, alert);
  }

  public void sessionHibernated(SessionHibernated hibernated) {
    publish(SESSION_HIBERNATED, hibernated);
  }

  public void adviceAvailable(AdviceAvailable advice) {
    publish(ADVICE_AVAILABLE, advice);
  }

  /** An event to tell: {@code payload} under {@code name}, one of the names above. */
  public record Told(String name, Record payload) {}

  /**
   * Publishes each of {@code told}, in order, in one publishing (one write in the host, not one
   * an event), as {@link #publish} would each: for a run with many to tell of at once.
   */
  public void publishAll(List<Told> told) {
    if (told.isEmpty()) {
      return;
    }
    publisher.publishAll(
        told.stream()
            .map(t -> new EventPublisher.Event(t.name(), JsonMapper.write(t.payload())))
            .toList());
  }

  /**
   * Publishes {@code payload} as it is under {@code name}, one of the names above: how a feature
   * tells of its own record as stored, in the JSON its routes answer (the credit of {@link
   * #CREDIT_GRANTED}, the purchase of {@link #PACK_PURCHASED}, the payment of {@link
   * #PAYMENT_FAILED}, the transfer of {@link #OWNERSHIP_TRANSFERRED}).
   */
  public void publish(String name, Record payload) {
    publisher.publish(name, JsonMapper.write(payload));
  }
}
