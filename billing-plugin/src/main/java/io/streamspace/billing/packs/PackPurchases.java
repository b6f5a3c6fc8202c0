package io.streamspace.billing.packs;

import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.catalog.CapacityPack;
import io.streamspace.billing.hold.PaymentLock;
import io.streamspace.common.db.Transactions;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Pack purchases: buying, renewing and cancelling (each in one transaction, the purchase's row
 * locked), ending those refunded at Stripe (in the webhook's), reading them back with their
 * history, and which are active at an instant. A purchase is published ({@code purchased}) once,
 * after its commit. What each change means in time and
 * money is {@link PackTerms}'s to decide, and {@link PackPurchaseRepository} stores it: this class
 * holds the transactions, the refusals that need the database (a locked account, a changed
 * currency) and the publication.
 */
public final class PackPurchases {

  /** Why a purchase, renewal or cancellation was refused; nothing was changed. */
  public static final class Refused extends Exception {
    /** The account is locked for non-payment; the message is the lock's sentence. */
    public static final String ACCOUNT_LOCKED = "account_locked";

    private final String code;

    Refused(String code, String message) {
      super(message);
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  private final DataSource dataSource;
  private final PackPurchaseRepository purchases;
  private final Consumer<Purchase> purchased;
  private final Consumer<Purchase> changed;

  /**
   * @param purchased told of each purchase once it is committed
   * @param changed told of each purchase, renewal and cancellation once it is committed, with
   *     the purchase as it is then (so this node's admission sees it at once)
   */
  public PackPurchases(
      DataSource dataSource, Consumer<Purchase> purchased, Consumer<Purchase> changed) {
    this.dataSource = dataSource;
    this.purchases = new PackPurchaseRepository(dataSource);
    this.purchased = purchased;
    this.changed = changed;
  }

  /**
   * The account buys the pack at {@code now}, at its price in {@code currency} (the account's):
   * a one-time pack valid for its days from now, a recurring one from now until cancelled.
   *
   * @throws Refused {@link Refused#ACCOUNT_LOCKED} while the account is locked for non-payment,
   *     {@code currency_changed} when the account's currency is no longer {@code currency} (a
   *     late {@code user.created} changed it since it was read)
   */
  public Purchase buy(String orgId, CapacityPack pack, Currency currency, Instant now, Cause cause)
      throws SQLException, Refused {
    BigDecimal price = pack.priceIn(currency).orElseThrow();
    Purchase purchase =
        Transactions.inTransaction(
            dataSource,
            c -> {
              requireNotLocked(c, orgId);
              // the account row is held from here on, so its currency stays what is read now
              if (!currency.getCurrencyCode().equals(AccountRepository.currencyOf(c, orgId))) {
                throw new Refused(
                    "currency_changed", "the account's currency changed: buy at its new price");
              }
              return insert(c, orgId, pack, price, currency, now, null, cause);
            });
    changed.accept(purchase);
    purchased.accept(purchase);
    return purchase;
  }

  /**
   * The account's purchase of the pack at {@code now}, paid already through the Stripe Checkout
   * Session {@code checkoutSession} at {@code price} in {@code currency}, in the caller's
   * transaction: granted even while the account is locked (it is paid), and its {@code bought}
   * charge never invoiced.
   *
   * @return what to run once the transaction is committed: the purchase's publication
   */
  public Runnable buyPaid(
      Connection c,
      String orgId,
      CapacityPack pack,
      BigDecimal price,
      Currency currency,
      String checkoutSession,
      Instant now,
      Cause cause)
      throws SQLException {
    Purchase purchase = insert(c, orgId, pack, price, currency, now, checkoutSession, cause);
    return () -> {
      changed.accept(purchase);
      purchased.accept(purchase);
    };
  }

  /**
   * The purchases paid through Stripe Checkout by the PaymentIntent {@code paymentIntent},
   * refunded at Stripe ({@code charge.refunded}: a refund made in Stripe's Dashboard), in the
   * caller's transaction (the webhook's), by the store's rule for its purchases: one refunded in
   * full ({@code refunded} at least its price) ends at {@code now}: what the payment bought adds
   * nothing from then on (a renewal, billed on an invoice, keeps its validity) and it is renewed
   * no more; a partial refund ends nothing (the pack was paid for, less what the
   * refund says); a purchase refunded already changes nothing. Nothing is given back here: Stripe
   * has already.
   *
   * @param refunded what the payment has had refunded in all, in the purchase's currency
   * @return what to run once the transaction is committed (this node's admission sees the end at
   *     once); empty when no purchase ended
   */
  public Optional<Runnable> refundedAtStripe(
      Connection c, String paymentIntent, BigDecimal refunded, Instant now, Cause cause)
      throws SQLException {
    List<Purchase> ended = new ArrayList<>();
    for (long id : purchases.lockPaidBy(c, paymentIntent)) {
      Purchase before = purchases.find(c, id, now).orElseThrow();
      if (refunded.compareTo(before.price()) >= 0) {
        purchases.refunded(c, id, Currency.getInstance(before.currency()), now);
        Purchase after = purchases.find(c, id, now).orElseThrow();
        audit(c, AuditKinds.PACK_REFUNDED, before, after, now, cause);
        ended.add(after);
      }
    }
    return ended.isEmpty() ? Optional.empty() : Optional.of(() -> ended.forEach(changed));
  }

  /** Stores the purchase on the pack's terms ({@link PackTerms}); answers it as stored. */
  private Purchase insert(
      Connection c,
      String orgId,
      CapacityPack pack,
      BigDecimal price,
      Currency currency,
      Instant now,
      String paidCheckout,
      Cause cause)
      throws SQLException {
    long id =
        purchases.insert(
            c,
            orgId,
            pack,
            price,
            currency,
            now,
            PackTerms.validUntil(pack, now),
            PackTerms.purchaseCharged(pack.kind()),
            paidCheckout);
    Purchase purchase = purchases.find(c, id, now).orElseThrow();
    audit(c, AuditKinds.PACK_PURCHASED, null, purchase, now, cause);
    return purchase;
  }

  /** A purchase's entry: the purchase before (none when bought) and after, with its history. */
  private static void audit(
      Connection c, String kind, Purchase before, Purchase after, Instant now, Cause cause)
      throws SQLException {
    AuditTrail.record(
        c,
        new AuditEntry(
            now, cause, after.userId(), kind, "pack_purchase:" + after.id(), before, after));
  }

  /**
   * Renews a one-time purchase at its price as bought: a new validity of its days from the later
   * of now and its current end, charged again.
   *
   * @throws Refused {@code not_renewable} for a recurring purchase, {@code refunded} for one
   *     refunded at Stripe
   */
  public Purchase renew(long purchaseId, Instant now, Cause cause) throws SQLException, Refused {
    return changed(
        purchaseId,
        now,
        AuditKinds.PACK_RENEWED,
        cause,
        (c, purchase) -> {
          PackTerms.Renewal renewal = PackTerms.renewal(purchase, now);
          requireNotLocked(c, purchase.userId());
          purchases.renew(c, purchaseId, renewal, now);
        });
  }

  /**
   * Cancels a recurring purchase now: it stops adding capacity and is billed up to now.
   *
   * @throws Refused {@code not_cancellable} for a one-time purchase (it simply expires), {@code
   *     already_cancelled} for one cancelled before
   */
  public Purchase cancel(long purchaseId, Instant now, Cause cause) throws SQLException, Refused {
    return changed(
        purchaseId,
        now,
        AuditKinds.PACK_CANCELLED,
        cause,
        (c, purchase) -> {
          PackTerms.requireCancellable(purchase);
          purchases.cancel(c, purchaseId, Currency.getInstance(purchase.currency()), now);
        });
  }

  /** A change to a stored purchase, under its row lock; it refuses by throwing. */
  private interface Change {
    void apply(Connection c, Purchase purchase) throws SQLException, Refused;
  }

  /** Applies {@code change} to the purchase in one transaction; answers it as it is then. */
  private Purchase changed(long purchaseId, Instant now, String kind, Cause cause, Change change)
      throws SQLException, Refused {
    Purchase purchase =
        Transactions.inTransaction(
            dataSource,
            c -> {
              Purchase before = purchases.lock(c, purchaseId, now).orElseThrow();
              change.apply(c, before);
              Purchase after = purchases.find(c, purchaseId, now).orElseThrow();
              audit(c, kind, before, after, now, cause);
              return after;
            });
    changed.accept(purchase);
    return purchase;
  }

  /** The purchase of that id, read at {@code now}, if there is one. */
  public Optional<Purchase> find(long purchaseId, Instant now) throws SQLException {
    return purchases.find(purchaseId, now);
  }

  /** The account's purchases, newest first, {@code limit} of them from {@code offset}. */
  public List<Purchase> page(String orgId, int limit, int offset, Instant now) throws SQLException {
    return purchases.page(orgId, limit, offset, now);
  }

  /**
   * The account's purchases that add their capacity at {@code at}, oldest first: what the
   * account's limits are its plan's plus.
   */
  public List<ActivePack> activeAt(String orgId, Instant at) throws SQLException {
    return purchases.activeAt(orgId, at);
  }

  /** Refuses a purchase or a renewal of a locked account, in its transaction (PaymentLock). */
  private static void requireNotLocked(Connection c, String orgId) throws SQLException, Refused {
    Optional<String> lock = PaymentLock.lockedDuring(c, orgId);
    if (lock.isPresent()) {
      throw new Refused(Refused.ACCOUNT_LOCKED, lock.get());
    }
  }
}
