package io.streamspace.billing.payments.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.catalog.CapacityPack;
import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.packs.PackPurchases;
import io.streamspace.billing.payments.subscription.CheckoutSessions;
import io.streamspace.billing.payments.subscription.StripeSubscriptions;
import io.streamspace.billing.store.purchase.StorePurchases;
import io.streamspace.billing.store.purchase.StoreRefused;
import io.streamspace.billing.stripe.StripeAmounts;
import io.streamspace.billing.stripe.StripeEvent;
import io.streamspace.billing.tax.TaxDetails;
import io.streamspace.billing.tax.TaxDetailsRepository;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code checkout.session.completed} and {@code checkout.session.async_payment_succeeded}, in the
 * event's transaction, for the sessions {@code
 * StripeCheckout} creates (metadata {@code account_id}, {@code kind}, {@code plan_id} or {@code
 * pack_id}). Each session is applied once ({@code billing_stripe_checkouts}), whatever event
 * brings it.
 *
 * <ul>
 *   <li>{@code plan} (setup mode, or subscription mode once paid): first the state check ({@link
 *       CheckoutStateCheck}): a session the organization outgrew since its creation is refused.
 *       Else the account moves to the plan as {@code PUT /subscription}
 *       does, prorated from when the event is applied (as a change is from its request); already
 *       on it: nothing. A subscription-mode session's Stripe Subscription ({@code subscription})
 *       is stored ({@code billing_stripe_subscriptions}) for its later events. The card it saved is
 *       not read here: Stripe never expands an event's
 *       object, so {@code setup_intent} is an id; the {@code setup_intent.succeeded} of the
 *       same setup makes the card the customer's default ({@link DefaultPaymentMethods}). Its
 *       promotion code, if it carries one, is redeemed then ({@link CheckoutCodes}).
 *   <li>{@code pack} (payment mode, {@code payment_status} {@code paid}): the pack is bought at
 *       the amount Stripe took, paid, never invoiced; {@code billing.pack.purchased} once. A
 *       session completed unpaid (a delayed method) grants nothing until its {@code
 *       async_payment_succeeded}. Its payment refunded in full before (a {@code charge.refunded}
 *       delivered first) ends it at once, as the refund would have after it.
 *   <li>{@code store} (payment mode, paid, metadata {@code store_item_id}, {@code
 *       store_version_id}, {@code bought_by}): the item is bought at that version and the amount
 *       Stripe took, paid, never invoiced ({@code StorePurchases#buyPaid}); likewise.
 *   <li>{@code top_up} (payment mode, paid): the prepaid balance is credited with what it paid
 *       net of tax ({@link CompletedTopUps}); likewise.
 * </ul>
 */
final class CompletedCheckouts {

  static final String COMPLETED = "checkout.session.completed";

  /** A pack paid by a delayed method (a bank debit): completed unpaid, then this, paid. */
  static final String ASYNC_PAYMENT_SUCCEEDED = "checkout.session.async_payment_succeeded";

  private static final Logger log = LoggerFactory.getLogger(CompletedCheckouts.class);

  private static final NamedSql APPLIED =
      NamedSql.of(
          """
          INSERT INTO billing_stripe_checkouts (session_id, account_id, kind, completed_at,
              applied_at, payment_intent)
          VALUES (:session, :account, :kind, :completed, :now, :intent) ON CONFLICT DO NOTHING""");

  // a charge.refunded of the payment, delivered before its session's completion
  private static final NamedSql REFUNDED_BEFORE =
      NamedSql.of(
          """
          SELECT amount_refunded FROM billing_stripe_refunds
          WHERE payment_intent_id = :intent AND upper(currency) = :currency""");

  private final SubscriptionPlanMoves moves;
  private final PackPurchases packs;
  private final StorePurchases store;
  private final CompletedTopUps topUps;
  private final Supplier<BillingConfig> config;
  private final CheckoutStateCheck stateCheck;
  private final CheckoutCodes codes;

  CompletedCheckouts(
      SubscriptionPlanMoves moves,
      PackPurchases packs,
      StorePurchases store,
      CompletedTopUps topUps,
      Supplier<BillingConfig> config,
      CheckoutStateCheck stateCheck,
      CheckoutCodes codes) {
    this.stateCheck = stateCheck;
    this.codes = codes;
    this.moves = moves;
    this.packs = packs;
    this.store = store;
    this.topUps = topUps;
    this.config = config;
  }

  /**
   * Keeps what the session's {@code customer_details} tell for tax (address, tax exempt status,
   * tax ids: collected with stripeTax) on the organization, unless a newer event's are kept.
   */
  private static void keepTaxDetails(
      Connection c, StripeEvent event, String account, String session, Instant now)
      throws SQLException {
    JsonNode customer = event.object().path("customer_details");
    if (!customer.isObject()) {
      return;
    }
    JsonNode address = customer.path("address");
    List<TaxDetails.TaxId> ids = new ArrayList<>();
    for (JsonNode id : customer.path("tax_ids")) {
      if (id.path("type").isTextual() && id.path("value").isTextual()) {
        ids.add(new TaxDetails.TaxId(id.path("type").textValue(), id.path("value").textValue()));
      }
    }
    String exempt = text(customer, "tax_exempt");
    TaxDetails details =
        new TaxDetails(
            text(customer, "name"),
            text(address, "line1"),
            text(address, "line2"),
            text(address, "city"),
            text(address, "state"),
            text(address, "postal_code"),
            text(address, "country"),
            List.of("exempt", "reverse").contains(exempt) ? exempt : "none",
            ids);
    if (!details.hasAddress() && ids.isEmpty()) {
      return; // nothing collected (a session without stripeTax): what is kept stays
    }
    TaxDetailsRepository.keep(c, account, details, session, event.created(), now);
  }

  private static String text(JsonNode node, String member) {
    JsonNode value = node.path(member);
    return value.isTextual() ? value.textValue() : null;
  }

  /** Applies a completed session; what to publish after the commit goes into {@code after}. */
  void completed(Connection c, StripeEvent event, Instant now, List<Runnable> after)
      throws SQLException {
    String session = event.text("id");
    String account = event.text("metadata/account_id");
    String kind = event.text("metadata/kind");
    if (session == null
        || account == null
        || !List.of("plan", "pack", "store", "top_up").contains(kind)) {
      log.info("Stripe event {}: a Checkout Session not created by this plugin", event.loggedId());
      return;
    }
    String intent = event.text("payment_intent");
    if (intent != null) {
      PaymentIntentLock.hold(c, intent); // a refund of this payment at once waits, or is seen
    }
    // a plan's setup-mode session takes no money; its subscription-mode one, like a pack's,
    // is applied once paid
    boolean unpaid =
        kind.equals("plan") && "subscription".equals(event.text("mode"))
            ? "unpaid".equals(event.text("payment_status"))
            : !kind.equals("plan") && !"paid".equals(event.text("payment_status"));
    if (!"complete".equals(event.text("status")) || unpaid) {
      log.info(
          "Stripe Checkout Session {} is not complete and paid: nothing done", event.logged("id"));
      return;
    }
    int first =
        APPLIED
            .bind("session", session)
            .bind("account", account)
            .bind("kind", kind)
            .bind("completed", event.created())
            .bind("now", now)
            // what a later charge.refunded names the session's payment by
            .bind("intent", event.text("payment_intent"))
            .update(c);
    if (first == 0) {
      log.info("Stripe Checkout Session {} was applied already", event.logged("id"));
      return;
    }
    Optional<Currency> currency =
        Optional.ofNullable(AccountRepository.currencyOf(c, account)).map(Currency::getInstance);
    Instant closedAt = AccountRepository.closedAt(c, account);
    if (currency.isEmpty() || (closedAt != null && !closedAt.isAfter(event.created()))) {
      // the organization is no longer billed (closed by org.deleted before the session
      // completed, or unknown here): what Stripe took, or the subscription it started, is given
      // back rather than kept for nothing
      String why =
          currency.isEmpty()
              ? "no billing account " + account
              : "organization %s was closed at %s".formatted(account, closedAt);
      if (kind.equals("plan")) {
        stateCheck.refuse(c, event, account, event.text("metadata/plan_id"), why, now, after);
      } else {
        String item =
            switch (kind) {
              case "pack" -> event.text("metadata/pack_id");
              case "store" -> event.text("metadata/store_item_id");
              default -> null; // a top-up bought no item
            };
        stateCheck.ungranted(c, event, account, kind, item, why, now, after);
      }
      return;
    }
    keepTaxDetails(c, event, account, session, now);
    Completion completion = new Completion(event, account, currency.get(), now, after);
    switch (kind) {
      case "plan" -> plan(c, completion);
      case "pack" -> pack(c, completion);
      case "top_up" -> topUp(c, completion);
      default -> storeItem(c, completion);
    }
  }

  /** A session's completion being applied, for the account in its currency. */
  private record Completion(
      StripeEvent event, String account, Currency currency, Instant now, List<Runnable> after) {}

  private void plan(Connection c, Completion completion) throws SQLException {
    StripeEvent event = completion.event();
    String account = completion.account();
    Currency currency = completion.currency();
    Instant now = completion.now();
    BillingConfig current = config.get();
    String planId = event.text("metadata/plan_id");
    Optional<SubscriptionPlan> plan = current.plan(planId == null ? "" : planId);
    Optional<BigDecimal> price = plan.flatMap(p -> current.priceOf(p, currency));
    String session = event.text("id");
    Optional<String> refusal =
        CheckoutStateCheck.refusal(
            c, CheckoutSessions.find(c, session), account, planId, current, price.isPresent());
    if (refusal.isPresent()) {
      stateCheck.refuse(c, event, account, planId, refusal.get(), now, completion.after());
      return;
    }
    CheckoutSessions.applied(c, session, now);
    String subscription = event.text("subscription");
    if (subscription != null) {
      StripeSubscriptions.store(
          c,
          subscription,
          account,
          new StripeSubscriptions.Seen(planId, "active", false, null, event.created()),
          now);
    }
    moves.move(c, account, planId, event, now, completion.after());
    codes.redeem(c, event, account, now, completion.after());
  }

  private void pack(Connection c, Completion completion) throws SQLException {
    StripeEvent event = completion.event();
    String account = completion.account();
    Currency currency = completion.currency();
    String session = event.text("id");
    String packId = event.text("metadata/pack_id");
    Optional<CapacityPack> pack = config.get().pack(packId == null ? "" : packId);
    Optional<BigDecimal> paid = paidIn(event, currency);
    if (pack.isEmpty() || paid.isEmpty()) {
      String why =
          pack.isEmpty()
              ? "pack %s is no longer sold".formatted(packId)
              : notInCurrency(event, currency);
      stateCheck.ungranted(
          c, event, account, "pack", packId, why, completion.now(), completion.after());
      return;
    }
    BigDecimal price = paid.get();
    Cause cause = Cause.stripe(event.id());
    completion
        .after()
        .add(
            packs.buyPaid(
                c, account, pack.get(), price, currency, session, completion.now(), cause));
    // refunded in Stripe's Dashboard before this event came: ended as it would be after it
    String intent = event.text("payment_intent");
    Optional<BigDecimal> refunded =
        intent == null ? Optional.empty() : refundedBefore(c, intent, currency);
    if (refunded.isPresent()) {
      packs
          .refundedAtStripe(c, intent, refunded.get(), completion.now(), cause)
          .ifPresent(completion.after()::add);
    }
  }

  /**
   * A top-up's session: the balance credited with what it paid net of tax, once; one paid in
   * another currency than the organization's (its currency changed meanwhile) is refunded.
   */
  private void topUp(Connection c, Completion completion) throws SQLException {
    StripeEvent event = completion.event();
    if (paidIn(event, completion.currency()).isEmpty()) {
      stateCheck.ungranted(
          c,
          event,
          completion.account(),
          "top_up",
          null,
          notInCurrency(event, completion.currency()),
          completion.now(),
          completion.after());
      return;
    }
    topUps
        .credit(c, event, completion.account(), completion.currency(), completion.now())
        .ifPresent(completion.after()::add);
    // refunded in Stripe's Dashboard before this event came: taken back as it would be after it
    String intent = event.text("payment_intent");
    Optional<BigDecimal> refunded =
        intent == null ? Optional.empty() : refundedBefore(c, intent, completion.currency());
    if (refunded.isPresent()) {
      topUps.refunded(c, intent, refunded.get(), completion.now(), Cause.stripe(event.id()));
    }
  }

  /**
   * A store item's session: the purchase of the version it priced, at what Stripe took, paid,
   * never invoiced; {@code billing.entitlement.granted} once. One that cannot be granted (another
   * currency, a version not of the item, an item owned for good already) is refunded.
   */
  private void storeItem(Connection c, Completion completion) throws SQLException {
    StripeEvent event = completion.event();
    Optional<BigDecimal> paid = paidIn(event, completion.currency());
    Long itemId = longOf(event.text("metadata/store_item_id"));
    Long versionId = longOf(event.text("metadata/store_version_id"));
    String intent = event.text("payment_intent");
    String buyer = event.text("metadata/bought_by");
    String why;
    if (paid.isEmpty()) {
      why = notInCurrency(event, completion.currency());
    } else if (itemId == null || versionId == null || intent == null || buyer == null) {
      why = "the session names no store item, version, payment or buyer";
    } else {
      StorePurchases.PaidCheckout checkout =
          new StorePurchases.PaidCheckout(
              completion.account(),
              buyer,
              itemId,
              versionId,
              paid.get(),
              completion.currency(),
              event.text("id"),
              intent);
      try {
        Cause cause = Cause.stripe(event.id());
        completion.after().add(store.buyPaid(c, checkout, completion.now(), cause));
        // refunded in Stripe's Dashboard before this event came: ended as it would be after it
        Optional<BigDecimal> refunded = refundedBefore(c, intent, completion.currency());
        if (refunded.isPresent()) {
          store
              .refundedAtStripe(c, intent, refunded.get(), completion.now(), cause)
              .ifPresent(completion.after()::add);
        }
        return;
      } catch (StoreRefused refused) {
        why = refused.getMessage();
      }
    }
    stateCheck.ungranted(
        c,
        event,
        completion.account(),
        "store",
        event.text("metadata/store_item_id"),
        why,
        completion.now(),
        completion.after());
  }

  /** What a {@code charge.refunded} applied before said the payment had refunded, if any. */
  private static Optional<BigDecimal> refundedBefore(Connection c, String intent, Currency currency)
      throws SQLException {
    try (PreparedStatement statement =
            REFUNDED_BEFORE
                .bind("intent", intent)
                .bind("currency", currency.getCurrencyCode())
                .prepare(c);
        ResultSet rs = statement.executeQuery()) {
      return rs.next() ? Optional.of(rs.getBigDecimal(1)) : Optional.empty();
    }
  }

  /** Why a session's payment cannot be taken as the account's: its currency, or none said. */
  private static String notInCurrency(StripeEvent event, Currency currency) {
    return "the session took %s %s; the organization pays in %s"
        .formatted(event.number("amount_total"), event.text("currency"), currency);
  }

  /** What the session took, when it took it in the account's currency. */
  private static Optional<BigDecimal> paidIn(StripeEvent event, Currency currency) {
    String paidIn = event.text("currency");
    Long minor = event.number("amount_total");
    if (minor == null
        || paidIn == null
        || !currency.getCurrencyCode().equals(paidIn.toUpperCase(Locale.ROOT))) {
      return Optional.empty();
    }
    return Optional.of(StripeAmounts.fromMinorUnits(minor, currency));
  }

  private static Long longOf(String text) {
    try {
      return text == null ? null : Long.valueOf(text);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
