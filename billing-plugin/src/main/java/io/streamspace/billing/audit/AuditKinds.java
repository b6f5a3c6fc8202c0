package io.streamspace.billing.audit;

/** What an entry records, by the names the trail stores and the admin filters on. */
public final class AuditKinds {

  public static final String CREDIT_GRANTED = "credit.granted";

  /** What a credit had left when it expired is forfeited (check-quotas, a day after expiry). */
  public static final String CREDIT_EXPIRED = "credit.expired";

  /**
   * A refund's credit ended by the void of the invoice that billed what was refunded (the void
   * gives the charge back itself); what it had left is then forfeited as an expired credit's.
   */
  public static final String CREDIT_REVOKED = "credit.revoked";

  /**
   * A prepaid balance changed: {@code balance.} and the ledger entry's kind ({@code
   * balance.grant}, {@code balance.invoice_applied}, {@code balance.invoice_voided}...), one per
   * entry, with the balance before and the entry after.
   */
  public static final String BALANCE_PREFIX = "balance.";

  public static final String INVOICE_CREATED = "invoice.created";
  public static final String INVOICE_FINALIZED = "invoice.finalized";
  public static final String INVOICE_PAID = "invoice.paid";
  public static final String INVOICE_VOIDED = "invoice.voided";
  public static final String INVOICE_OVERDUE = "invoice.overdue";
  public static final String INVOICE_REFUNDED = "invoice.refunded";

  /**
   * A credit note was issued on an invoice (subject the invoice): the invoice's figures before,
   * the note after.
   */
  public static final String CREDIT_NOTE_ISSUED = "credit_note.issued";

  public static final String PLAN_CHANGED = "plan.changed";

  /**
   * An admin scheduled a migration of the organizations on one version of a plan to another
   * (platform-wide: no organization; each organization's move is its own {@link #PLAN_CHANGED}).
   */
  public static final String PLAN_MIGRATION_SCHEDULED = "plan_migration.scheduled";

  /** An admin cancelled a plan migration before it took effect. */
  public static final String PLAN_MIGRATION_CANCELLED = "plan_migration.cancelled";

  /**
   * An admin's usage correction applied: per organization, its invoices' charges before credits
   * without and with it ({@code corrections}).
   */
  public static final String USAGE_CORRECTED = "usage.corrected";

  /** A platform admin created a coupon with its promotion codes (subject {@code coupon:{id}}). */
  public static final String COUPON_CREATED = "coupon.created";

  /** A coupon was deactivated: no longer redeemable; its redemptions go on. */
  public static final String COUPON_DEACTIVATED = "coupon.deactivated";

  /** An organization redeemed a promotion code: the redemption, with the periods it discounts. */
  public static final String COUPON_REDEEMED = "coupon.redeemed";

  /** A plan Checkout Session completed at Stripe, refused by its state check (and undone). */
  public static final String CHECKOUT_REFUSED = "checkout.refused";

  /**
   * A closed organization's Stripe Subscription cancelled by collect-payments, with what it paid
   * for its period after the closing refunded.
   */
  public static final String SUBSCRIPTION_CANCELLED = "subscription.cancelled";

  /**
   * An organization's Owner set its auto top-up rule, consenting to off-session charges: the
   * entry keeps who, when and the terms consented to.
   */
  public static final String TOP_UP_RULE_SET = "top_up_rule.set";

  public static final String TOP_UP_RULE_REMOVED = "top_up_rule.removed";

  /**
   * A top-up refunded at Stripe after its balance spent some of it: what the balance could not
   * give back (the refund entry, if any, took what was available).
   */
  public static final String TOP_UP_REFUND_UNRECOVERED = "top_up.refund_unrecovered";

  public static final String SPENDING_LIMIT_SET = "spending_limit.set";
  public static final String SPENDING_LIMIT_REMOVED = "spending_limit.removed";
  public static final String PACK_PURCHASED = "pack.purchased";
  public static final String PACK_RENEWED = "pack.renewed";
  public static final String PACK_CANCELLED = "pack.cancelled";

  /** A pack paid through Stripe Checkout was refunded in full at Stripe: it ended then. */
  public static final String PACK_REFUNDED = "pack.refunded";

  public static final String SEAT_LIMIT_SET = "seat_limit.set";
  public static final String SEAT_LIMIT_REMOVED = "seat_limit.removed";

  /** An organization's budget, or a member's, was set or removed: what the forecast watches. */
  public static final String BUDGET_SET = "budget.set";

  public static final String BUDGET_REMOVED = "budget.removed";
  public static final String OVERAGE_CONFIRMED = "overage.confirmed";
  public static final String OWNERSHIP_TRANSFERRED = "ownership.transferred";

  /** The platform made a member an organization's owner or admin (its events, by event time). */
  public static final String BILLING_ROLE_GIVEN = "member.billing_role_given";

  public static final String HOLD_PLACED = "hold.placed";
  public static final String HOLD_LIFTED = "hold.lifted";

  /** The billing configuration changed: prices, plans, the billing mode or any other key. */
  public static final String CONFIG_CHANGED = "config.changed";

  /** The store: an admin approved or rejected an item's version, or delisted the item. */
  public static final String STORE_ITEM_APPROVED = "store_item.approved";

  public static final String STORE_ITEM_REJECTED = "store_item.rejected";
  public static final String STORE_ITEM_DELISTED = "store_item.delisted";

  /** An organization bought a store item; its access begins. */
  public static final String STORE_PURCHASED = "store_purchase.bought";

  /** A store purchase was refunded: its access ended, what was billed for it credited back. */
  public static final String STORE_REFUNDED = "store_purchase.refunded";

  /**
   * A store purchase paid through Stripe Checkout was charged back (its dispute closed lost):
   * its access ended, its creator's share clawed back.
   */
  public static final String STORE_CHARGED_BACK = "store_purchase.charged_back";

  /** A creator's payout for a closed month was queued, or paid by a Stripe transfer. */
  public static final String CREATOR_PAYOUT_QUEUED = "creator_payout.queued";

  public static final String CREATOR_PAYOUT_PAID = "creator_payout.paid";

  /** A creator set the Stripe connected account their payouts are sent to. */
  public static final String CREATOR_PAYOUT_ACCOUNT_SET = "creator_payout_account.set";

  private AuditKinds() {}
}
