package io.streamspace.billing.prepaid;

import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.MoneyText;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Money an organization paid Stripe for, onto its prepaid balance: a {@code top_up} entry of what
 * was paid net of tax, once per source however often it is told (a Checkout Session's completion
 * redelivered, an auto top-up's PaymentIntent answered by the call and by the webhook), kept with
 * what was paid ({@code billing_top_ups}) and announced after the commit ({@code
 * billing.balance.topped_up}). A refund of it at Stripe takes the refunded share back ({@link
 * #refunded}). Each works in the caller's transaction (the webhook's, a collection's settling).
 */
public final class TopUps {

  /**
   * A payment Stripe took for a top-up.
   *
   * @param gross what was paid, tax included
   * @param net what the balance gets: {@code gross} less the tax Stripe Tax added or included
   * @param source the entry's unique source: {@code checkout:<session>}, {@code
   *     payment_intent:<id>}
   * @param reason what the statement says of it
   */
  public record Paid(
      String orgId,
      Currency currency,
      String paymentIntentId,
      BigDecimal gross,
      BigDecimal net,
      String source,
      String reason) {}

  private static final Logger log = LoggerFactory.getLogger(TopUps.class);

  private static final NamedSql KEPT =
      NamedSql.of(
          """
          INSERT INTO billing_top_ups (payment_intent_id, org_id, currency, source, gross, net,
              created_at)
          VALUES (:payment_intent_id, :org_id, :currency, :source, :gross, :net, :now)
          ON CONFLICT DO NOTHING""");

  private static final NamedSql HELD =
      NamedSql.of(
          """
          SELECT org_id, currency, gross, net, refunded, taken_back, unrecovered
          FROM billing_top_ups WHERE payment_intent_id = :payment_intent_id FOR UPDATE""");

  private static final NamedSql REFUNDED =
      NamedSql.of(
          """
          UPDATE billing_top_ups
          SET refunded = :refunded, taken_back = taken_back + :taken,
              unrecovered = unrecovered + :unrecovered
          WHERE payment_intent_id = :payment_intent_id""");

  private final Consumer<BalanceChange> onToppedUp;

  public TopUps(Consumer<BalanceChange> onToppedUp) {
    this.onToppedUp = onToppedUp;
  }

  /**
   * Credits the payment to the organization's balance, once per source: answers what to announce
   * after the commit, empty when the source was credited before.
   */
  public Optional<Runnable> credit(Connection c, Paid paid, Instant now, Cause cause)
      throws SQLException {
    PrepaidLedger.Posted posted =
        PrepaidLedger.post(
                c,
                List.of(
                    new NewEntry(
                        paid.orgId(),
                        paid.currency(),
                        EntryKind.TOP_UP,
                        paid.net(),
                        paid.reason(),
                        paid.source(),
                        null,
                        now,
                        cause)))
            .get(0);
    if (!posted.fresh()) {
      return Optional.empty();
    }
    if (paid.paymentIntentId() == null) {
      log.warn(
          "top-up {} of {} names no payment: a refund of it is not taken back",
          paid.source(),
          paid.orgId());
    } else {
      keep(c, paid, now);
    }
    log.info(
        "prepaid balance of {} {}: {} topped up ({}), now {}",
        paid.orgId(),
        paid.currency(),
        paid.net(),
        paid.source(),
        posted.balance());
    BalanceChange change = posted.change();
    return Optional.of(() -> onToppedUp.accept(change));
  }

  private static void keep(Connection c, Paid paid, Instant now) throws SQLException {
    KEPT.bind("payment_intent_id", paid.paymentIntentId())
        .bind("org_id", paid.orgId())
        .bind("currency", paid.currency().getCurrencyCode())
        .bind("source", paid.source())
        .bind("gross", paid.gross())
        .bind("net", paid.net())
        .bind("now", now)
        .update(c);
  }

  /**
   * A top-up's payment refunded at Stripe, {@code refunded} of it in all so far (Stripe's running
   * total, tax included): the balance gives back the refunded share of what it got, {@code net x
   * refunded / gross} (rounded half up to the currency), less what earlier refunds took, as a
   * {@code refund} entry (source {@code refund:<payment intent>:<refunded>}) of at most what it has
   * available: a balance never goes below zero. What it cannot give back, already spent, is
   * recorded ({@code unrecovered}, and a {@code top_up.refund_unrecovered} audit entry). Nothing
   * for a payment that paid no top-up, nor for a total not above one seen before.
   *
   * @return whether the payment was a top-up's
   */
  public boolean refunded(
      Connection c, String paymentIntentId, BigDecimal refunded, Instant now, Cause cause)
      throws SQLException {
    Optional<Held> found = held(c, paymentIntentId);
    if (found.isEmpty()) {
      return false;
    }
    Held held = found.get();
    Currency currency = held.currency();
    BigDecimal total = refunded.min(held.gross());
    if (total.compareTo(held.refunded()) <= 0) {
      return true;
    }
    BigDecimal share =
        held.net()
            .multiply(total)
            .divide(held.gross(), Money.minorDigits(currency), RoundingMode.HALF_UP);
    BigDecimal owed =
        share.subtract(held.takenBack()).subtract(held.unrecovered()).max(BigDecimal.ZERO);
    BigDecimal available = PrepaidLedger.locked(c, held.orgId(), currency).available();
    BigDecimal taken = owed.min(available);
    BigDecimal unrecovered = owed.subtract(taken);
    String reason =
        "top-up refunded at Stripe: %s of its %s"
            .formatted(MoneyText.of(owed, currency), MoneyText.of(held.net(), currency));
    if (taken.signum() > 0) {
      PrepaidLedger.post(
          c,
          List.of(
              new NewEntry(
                  held.orgId(),
                  currency,
                  EntryKind.REFUND,
                  taken.negate(),
                  unrecovered.signum() > 0
                      ? reason
                          + "; "
                          + MoneyText.of(unrecovered, currency)
                          + " already spent, not taken back"
                      : reason,
                  "refund:%s:%s".formatted(paymentIntentId, total.toPlainString()),
                  null,
                  now,
                  cause)));
    }
    REFUNDED
        .bind("payment_intent_id", paymentIntentId)
        .bind("refunded", total)
        .bind("taken", taken)
        .bind("unrecovered", unrecovered)
        .update(c);
    if (unrecovered.signum() > 0) {
      unrecovered(c, held, paymentIntentId, taken, unrecovered, now, cause);
    }
    return true;
  }

  private static void unrecovered(
      Connection c,
      Held held,
      String paymentIntentId,
      BigDecimal taken,
      BigDecimal unrecovered,
      Instant now,
      Cause cause)
      throws SQLException {
    Map<String, Object> after = new LinkedHashMap<>();
    after.put("currency", held.currency().getCurrencyCode());
    after.put("taken_from_balance", Money.shown(taken, held.currency()));
    after.put("unrecovered", Money.shown(unrecovered, held.currency()));
    AuditTrail.record(
        c,
        new AuditEntry(
            now,
            cause,
            held.orgId(),
            AuditKinds.TOP_UP_REFUND_UNRECOVERED,
            "payment_intent:" + paymentIntentId,
            null,
            after));
    log.warn(
        "top-up {} of {} refunded at Stripe: {} {} already spent, not taken back",
        paymentIntentId,
        held.orgId(),
        unrecovered,
        held.currency());
  }

  private record Held(
      String orgId,
      Currency currency,
      BigDecimal gross,
      BigDecimal net,
      BigDecimal refunded,
      BigDecimal takenBack,
      BigDecimal unrecovered) {}

  private static Optional<Held> held(Connection c, String paymentIntentId) throws SQLException {
    try (PreparedStatement statement = HELD.bind("payment_intent_id", paymentIntentId).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      return Optional.of(
          new Held(
              rs.getString(1),
              Currency.getInstance(rs.getString(2).trim()),
              rs.getBigDecimal(3),
              rs.getBigDecimal(4),
              rs.getBigDecimal(5),
              rs.getBigDecimal(6),
              rs.getBigDecimal(7)));
    }
  }
}
