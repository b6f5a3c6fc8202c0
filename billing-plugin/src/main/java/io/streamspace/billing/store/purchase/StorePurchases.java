package io.streamspace.billing.store.purchase;

import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.credits.Credit;
import io.streamspace.billing.credits.CreditRepository;
import io.streamspace.billing.credits.NewCredit;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.hold.PaymentLock;
import io.streamspace.common.db.Transactions;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Optional;

/**
 * Buying store items, refunding them and charging them back, each in one transaction with its
 * audit entry and the creator's share ({@link CreatorLedger}); the entitlement events go out
 * after the commit.
 *
 * <p><b>What is sold.</b> An organization buys an item at its latest approved version, while it
 * is listed, at its price in the organization's currency: a one-time or free item for good, a
 * time-limited one for its days. Buying a time-limited item again before its access ends extends
 * it: the new access starts where the current one ends, so no second of it is paid twice. An
 * item the organization owns for good is not sold to it again ({@code already_owned}).
 *
 * <p><b>How it is paid.</b> On the organization's next invoice ({@code pay = invoice}: a line of
 * kind {@code store} that finalization claims, like a one-time pack), at once through Stripe
 * Checkout ({@code pay = checkout}: the purchase is stored when the session completes paid,
 * {@link #buyPaid}, and never invoiced), or not at all when free. Access starts when the purchase
 * is stored; an organization locked for non-payment buys nothing on its invoice but free items.
 *
 * <p><b>A refund</b> ends the access at once. What was paid comes back the way it was paid: a
 * purchase not on an invoice yet is simply never billed; one an invoice billed is credited to the
 * organization (a credit of its price, less what credit notes credited of its line, applied to
 * its next invoices); one paid through Checkout
 * is refunded at Stripe first ({@link CheckoutRefunds}), and nothing changes here if that fails.
 *
 * <p><b>A chargeback</b> (a Checkout payment's dispute closed lost, {@link #chargedBack}) ends the
 * access as a refund does, the same way ({@code end}); the money went back by the dispute.
 *
 * <p>These are the decisions; the statements they run are {@link StorePurchaseRepository}'s.
 */
public final class StorePurchases {

  private final javax.sql.DataSource dataSource;
  private final CreatorLedger ledger;
  private final CheckoutRefunds refunds;
  private final BillingEvents events;

  public StorePurchases(
      javax.sql.DataSource dataSource,
      CreatorLedger ledger,
      CheckoutRefunds refunds,
      BillingEvents events) {
    this.dataSource = dataSource;
    this.ledger = ledger;
    this.refunds = refunds;
    this.events = events;
  }

  /**
   * The organization buys the item at {@code now}, paid on its next invoice (or not, when free),
   * by {@code buyer}: answers the purchase, its access begun.
   *
   * @return empty when the item is not listed (unknown, delisted, or no version approved)
   * @throws StoreRefused {@code not_sold_in_currency} when the item has no price in the
   *     organization's currency, {@code already_owned} when the organization owns it for good,
   *     {@link StoreRefused#ACCOUNT_LOCKED} while it is locked for non-payment (free items
   *     excepted)
   */
  public Optional<StorePurchase> buy(
      String orgId, String buyer, long itemId, Instant now, Cause cause)
      throws SQLException, StoreRefused {
    Optional<StorePurchase> bought =
        Transactions.inTransaction(dataSource, c -> insert(c, orgId, buyer, itemId, now, cause));
    bought.ifPresent(p -> events.entitlementGranted(p.entitlementEvent(null)));
    return bought;
  }

  private Optional<StorePurchase> insert(
      Connection c, String orgId, String buyer, long itemId, Instant now, Cause cause)
      throws SQLException, StoreRefused {
    Optional<Priced> found = priced(c, orgId, itemId);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Priced priced = found.get();
    boolean free = priced.item().saleKind().equals("free");
    if (!free) {
      Optional<String> lock = PaymentLock.lockedDuring(c, orgId);
      if (lock.isPresent()) {
        throw new StoreRefused(StoreRefused.ACCOUNT_LOCKED, lock.get());
      }
    }
    Instant from = accessFromRefusingOwned(c, orgId, itemId, priced.item(), now);
    Payment payment = free ? Payment.FREE : Payment.INVOICE;
    return Optional.of(stored(c, new Bought(orgId, buyer, priced, payment, now, from), cause));
  }

  /**
   * What the organization would pay for the item now, to be paid through Stripe Checkout: the
   * purchase is made when the session completes paid ({@link #buyPaid}).
   *
   * @return empty when the item is not listed
   * @throws StoreRefused {@code not_sold_in_currency}, {@code already_owned}, {@code free} (a
   *     free item needs no payment)
   */
  public Optional<Quote> quote(String orgId, long itemId) throws SQLException, StoreRefused {
    try (Connection c = dataSource.getConnection()) {
      Optional<Priced> found = priced(c, orgId, itemId);
      if (found.isEmpty()) {
        return Optional.empty();
      }
      Priced priced = found.get();
      if (priced.item().saleKind().equals("free")) {
        throw new StoreRefused("free", priced.item().name() + " is free: no payment is taken");
      }
      accessFromRefusingOwned(c, orgId, itemId, priced.item(), Instant.EPOCH);
      ListedItem item = priced.item();
      return Optional.of(
          new Quote(itemId, item.versionId(), item.name(), priced.price(), priced.currency()));
    }
  }

  /**
   * The organization's purchase of the item's version, paid already through the Checkout
   * Session {@code session} at {@code price} (what Stripe took), in the caller's transaction (the
   * webhook's): granted even when the version was delisted since; a time-limited item held
   * already is extended.
   *
   * @return what to run once the transaction is committed (the entitlement's event)
   * @throws StoreRefused {@code unknown_version} when no approved version of that id belongs to
   *     the item, {@code already_owned} when the organization owns it for good already (two
   *     sessions paid for it): the caller gives the payment back
   */
  public Runnable buyPaid(Connection c, PaidCheckout paid, Instant now, Cause cause)
      throws SQLException, StoreRefused {
    Optional<ListedItem> version =
        StorePurchaseRepository.approvedVersion(c, paid.itemId(), paid.versionId());
    if (version.isEmpty()) {
      throw new StoreRefused(
          "unknown_version",
          "store item %d has no approved version %d".formatted(paid.itemId(), paid.versionId()));
    }
    Priced priced = new Priced(version.get(), paid.itemId(), paid.price(), paid.currency());
    Instant from = accessFromRefusingOwned(c, paid.orgId(), paid.itemId(), version.get(), now);
    Payment payment = new Payment("checkout", paid.session(), paid.paymentIntent());
    StorePurchase purchase =
        stored(c, new Bought(paid.orgId(), paid.buyer(), priced, payment, now, from), cause);
    return () -> events.entitlementGranted(purchase.entitlementEvent(null));
  }

  /** The item on sale and its price in the organization's currency; empty when not listed. */
  private static Optional<Priced> priced(Connection c, String orgId, long itemId)
      throws SQLException, StoreRefused {
    Optional<ListedItem> found = StorePurchaseRepository.listed(c, itemId);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    ListedItem item = found.get();
    Currency currency = Currency.getInstance(AccountRepository.currencyOf(c, orgId));
    BigDecimal price = item.saleKind().equals("free") ? BigDecimal.ZERO : item.priceIn(currency);
    if (price == null) {
      throw new StoreRefused(
          "not_sold_in_currency",
          "%s has no price in %s, the organization's currency"
              .formatted(item.name(), currency.getCurrencyCode()));
    }
    return Optional.of(new Priced(item, itemId, price, currency));
  }

  /**
   * When a purchase of the item made now starts its access, its organization's purchases of it
   * taking turns from here on: now, or where the access it has ends (a time-limited item bought
   * again extends it); empty when the organization owns the item for good.
   */
  private static Optional<Instant> accessFrom(Connection c, String orgId, long itemId, Instant now)
      throws SQLException {
    StorePurchaseRepository.takeTurn(c, orgId, itemId);
    Instant from = now;
    for (StorePurchase held : StorePurchaseRepository.held(c, orgId, itemId)) {
      if (held.accessUntil() == null) {
        return Optional.empty();
      }
      if (held.accessUntil().isAfter(from)) {
        from = held.accessUntil(); // extends the access it has: starts where it ends
      }
    }
    return Optional.of(from);
  }

  /** {@link #accessFrom}, refusing an item owned for good: {@code already_owned}. */
  private static Instant accessFromRefusingOwned(
      Connection c, String orgId, long itemId, ListedItem item, Instant now)
      throws SQLException, StoreRefused {
    return accessFrom(c, orgId, itemId, now)
        .orElseThrow(
            () ->
                new StoreRefused(
                    "already_owned", "the organization owns %s already".formatted(item.name())));
  }

  /** Stores the purchase, the creator's sale and the audit entry; answers it as stored. */
  private StorePurchase stored(Connection c, Bought bought, Cause cause) throws SQLException {
    ListedItem item = bought.priced().item();
    Instant until =
        item.saleKind().equals("time_limited")
            ? bought.from().plus(Duration.ofDays(item.saleDays()))
            : null;
    long id =
        StorePurchaseRepository.insert(
            c,
            new StorePurchaseRepository.NewPurchase(
                bought.orgId(),
                bought.buyer(),
                bought.priced().itemId(),
                item,
                bought.priced().price(),
                bought.priced().currency().getCurrencyCode(),
                bought.payment().pay(),
                bought.at(),
                bought.from(),
                until,
                bought.payment().session(),
                bought.payment().paymentIntent()));
    StorePurchase purchase = StorePurchaseRepository.find(c, id).orElseThrow();
    ledger.sold(c, id);
    AuditTrail.record(
        c,
        new AuditEntry(
            bought.at(),
            cause,
            bought.orgId(),
            AuditKinds.STORE_PURCHASED,
            subject(id),
            null,
            purchase));
    return purchase;
  }

  /**
   * Refunds the purchase at {@code now} for {@code reason}: its access ends, its creator's share
   * is clawed back, and what was billed for it is credited back (class comment).
   *
   * @return the purchase as refunded; empty when there is none of that id
   * @throws StoreRefused {@code already_refunded}, {@code charged_back}
   */
  public Optional<StorePurchase> refund(long purchaseId, String reason, Instant now, Cause cause)
      throws SQLException, StoreRefused {
    Optional<StorePurchase> refunded =
        Transactions.inTransaction(
            dataSource,
            c -> {
              Optional<StorePurchase> locked = lockedAfterItsInvoice(c, purchaseId);
              if (locked.isEmpty()) {
                return Optional.<StorePurchase>empty();
              }
              StorePurchase before = locked.get();
              if (before.status().equals(StorePurchase.REFUNDED)) {
                throw new StoreRefused(
                    "already_refunded", "purchase %d was refunded already".formatted(purchaseId));
              }
              if (before.status().equals(StorePurchase.CHARGED_BACK)) {
                throw new StoreRefused(
                    "charged_back",
                    "purchase %d was charged back: its payment went back by the dispute"
                        .formatted(purchaseId));
              }
              Currency currency = Currency.getInstance(before.currency());
              if (before.pay().equals("checkout")) {
                // the row is held meanwhile; under one key, a retry refunds at Stripe once
                refunds.refund(
                    before.paymentIntent(), before.price(), currency, "store-refund-" + purchaseId);
              }
              // what credit notes gave back of its line already is not given back again
              BigDecimal owed =
                  before.invoiceId() == null
                      ? BigDecimal.ZERO
                      : before
                          .price()
                          .subtract(
                              StorePurchaseRepository.creditedByNotes(
                                  c, purchaseId, before.invoiceId()));
              if (owed.signum() > 0) {
                Credit credit =
                    CreditRepository.grant(
                        c,
                        new NewCredit(
                            before.accountId(),
                            owed,
                            currency,
                            "refund of %s (store purchase %d): %s"
                                .formatted(before.itemName(), purchaseId, reason),
                            cause.actor().id(),
                            now,
                            null),
                        cause);
                // ended if that invoice is voided, which gives the charge back itself
                StorePurchaseRepository.refundCredit(c, purchaseId, credit.id());
              }
              return Optional.of(end(c, before, Ending.REFUNDED, reason, now, cause));
            });
    refunded.ifPresent(this::announceEnded);
    return refunded;
  }

  /**
   * The purchase of that id, its row locked, after the invoice that bills it (if one does) is
   * held: invoice first, then what it bills, the order of {@code InvoiceFinalizer} and of a void,
   * which holds the invoice ({@code FOR UPDATE}) before it releases the purchase's charge. Locked
   * the other way round, a refund and a void of that invoice deadlocked: the refund's update of
   * its own changed row checks the foreign key to the invoice ({@code FOR KEY SHARE}), which the
   * void held while it waited for the purchase's row (RefundRacingVoidTest). The invoice is read
   * before the purchase is locked; a void committed in between releases the charge (no invoice
   * then), and a later invoice's claim of it is held too, by its update's own check.
   */
  private static Optional<StorePurchase> lockedAfterItsInvoice(Connection c, long purchaseId)
      throws SQLException {
    Optional<StorePurchase> seen = StorePurchaseRepository.find(c, purchaseId);
    if (seen.isPresent() && seen.get().invoiceId() != null) {
      StorePurchaseRepository.holdInvoice(c, seen.get().invoiceId());
    }
    return StorePurchaseRepository.lock(c, purchaseId);
  }

  /**
   * The store purchase paid through Stripe Checkout by the PaymentIntent {@code paymentIntent},
   * charged back at {@code now} (its dispute closed lost), in the caller's transaction (the
   * webhook's): its access ends at once and its creator's share is clawed back, as a refund's;
   * nothing is given back, Stripe has taken it already. A purchase refunded or charged back
   * already changes nothing (the money went back once).
   *
   * @param why the dispute, as the purchase keeps it ({@code refund_reason})
   * @return what to run once the transaction is committed ({@code billing.entitlement.expired});
   *     empty when the payment paid no active store purchase
   */
  public Optional<Runnable> chargedBack(
      Connection c, String paymentIntent, String why, Instant now, Cause cause)
      throws SQLException {
    return endPaidBy(c, paymentIntent, Ending.CHARGED_BACK, why, null, now, cause);
  }

  /**
   * The store purchase paid through Stripe Checkout by the PaymentIntent {@code paymentIntent},
   * refunded at Stripe ({@code charge.refunded}: a refund made in Stripe's Dashboard), in the
   * caller's transaction (the webhook's): refunded in full, it ends as an admin's refund ends it
   * (its access at once, its creator's share clawed back), nothing given back here, Stripe has
   * already. A partial refund ends nothing (the access was paid for, less what the refund says);
   * a purchase refunded or charged back already changes nothing (an admin's refund through the
   * route, whose own refund Stripe announces too, among them).
   *
   * @param refunded what the payment has had refunded in all, in the purchase's currency
   * @return what to run once the transaction is committed; empty when no active purchase ended
   */
  public Optional<Runnable> refundedAtStripe(
      Connection c, String paymentIntent, BigDecimal refunded, Instant now, Cause cause)
      throws SQLException {
    return endPaidBy(c, paymentIntent, Ending.REFUNDED, "refunded in Stripe", refunded, now, cause);
  }

  /**
   * Ends the active Checkout purchases the payment paid ({@code refunded}: only those it
   * refunded in full; null: every one).
   */
  private Optional<Runnable> endPaidBy(
      Connection c,
      String paymentIntent,
      Ending ending,
      String why,
      BigDecimal refunded,
      Instant now,
      Cause cause)
      throws SQLException {
    List<StorePurchase> ended = new ArrayList<>();
    for (StorePurchase before : StorePurchaseRepository.lockPaidBy(c, paymentIntent)) {
      if (refunded == null || refunded.compareTo(before.price()) >= 0) {
        ended.add(end(c, before, ending, why, now, cause));
      }
    }
    return ended.isEmpty()
        ? Optional.empty()
        : Optional.of(() -> ended.forEach(this::announceEnded));
  }

  /** How an access ends before its time: its status, its creator's claw-back, its audit kind. */
  private enum Ending {
    REFUNDED(StorePurchase.REFUNDED, AuditKinds.STORE_REFUNDED),
    CHARGED_BACK(StorePurchase.CHARGED_BACK, AuditKinds.STORE_CHARGED_BACK);

    final String status;
    final String auditKind;

    Ending(String status, String auditKind) {
      this.status = status;
      this.auditKind = auditKind;
    }
  }

  /**
   * Ends the active purchase {@code before} (held by the caller) at {@code now}, the one way for
   * a refund and a chargeback: its status, its creator's claw-back and its audit entry, in the
   * caller's transaction; answers it as ended, for {@link #announceEnded} after the commit.
   */
  private StorePurchase end(
      Connection c, StorePurchase before, Ending ending, String reason, Instant now, Cause cause)
      throws SQLException {
    long id = before.id();
    StorePurchaseRepository.end(c, id, ending.status, now, cause.actor().id(), reason);
    switch (ending) {
      case REFUNDED -> ledger.refunded(c, id, now);
      case CHARGED_BACK -> ledger.chargedBack(c, id, now);
    }
    StorePurchase after = StorePurchaseRepository.find(c, id).orElseThrow();
    AuditTrail.record(
        c,
        new AuditEntry(
            now, cause, after.accountId(), ending.auditKind, subject(id), before, after));
    return after;
  }

  /** {@code billing.entitlement.expired} of a purchase ended early, its status the reason. */
  private void announceEnded(StorePurchase ended) {
    events.entitlementExpired(ended.entitlementEvent(ended.status()));
  }

  /** The purchase of that id, if there is one. */
  public Optional<StorePurchase> find(long purchaseId) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return StorePurchaseRepository.find(c, purchaseId);
    }
  }

  /** The organization's purchases, newest first, {@code limit} of them from {@code offset}. */
  public List<StorePurchase> page(String orgId, int limit, int offset) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return StorePurchaseRepository.page(c, orgId, limit, offset);
    }
  }

  /**
   * What the organizations may apply at {@code at}: per organization and item, the purchase that
   * entitles it now, until the end of the unbroken access its later time-limited purchases extend
   * (null: for good). By organization, then item.
   */
  public List<Entitlement> entitlements(List<String> orgIds, Instant at) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      StorePurchaseRepository.Accesses accesses = StorePurchaseRepository.accesses(c, orgIds, at);
      return Entitlement.of(accesses.now(), accesses.later());
    }
  }

  private static String subject(long purchaseId) {
    return "store_purchase:" + purchaseId;
  }

  /** An item at a version, at its price in the buying organization's currency. */
  private record Priced(ListedItem item, long itemId, BigDecimal price, Currency currency) {}

  /** How a purchase is paid: {@code pay}, and a Checkout's session and payment. */
  private record Payment(String pay, String session, String paymentIntent) {
    static final Payment INVOICE = new Payment("invoice", null, null);
    static final Payment FREE = new Payment("free", null, null);
  }

  /** A purchase about to be stored. */
  private record Bought(
      String orgId, String buyer, Priced priced, Payment payment, Instant at, Instant from) {}

  /** What an organization would pay for an item now: the version and price to take. */
  public record Quote(
      long itemId, long versionId, String itemName, BigDecimal price, Currency currency) {}

  /** A store item's Checkout Session that completed paid, as its event tells it. */
  public record PaidCheckout(
      String orgId,
      String buyer,
      long itemId,
      long versionId,
      BigDecimal price,
      Currency currency,
      String session,
      String paymentIntent) {}
}
