package io.streamspace.billing.prepaid;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.money.MoneyText;
import io.streamspace.billing.rating.CurrencyRates;
import io.streamspace.common.db.Sql;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.AdmissionRequest;
import io.streamspace.plugin.api.session.TopUp;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last step of admitting a session of an organization on a prepaid plan, once every rule
 * decided from memory allowed it: its hold ({@link SessionHold}) reserved from the prepaid
 * balance ({@link Reservations}), or the session refused with {@value #INSUFFICIENT_BALANCE},
 * saying what is short and by how much, with the top-ups that would let it start. Sessions of
 * other plans never come here (their admission reads the database only to reserve against a
 * {@code block} spending limit or a member's caps). The reservation is then extended while the
 * session runs, lowered by its burns and released at its end ({@link Reservations}).
 */
public final class PrepaidAdmission {

  public static final String INSUFFICIENT_BALANCE = "insufficient_balance";
  public static final String SESSION_ID_REQUIRED = "session_id_required";
  public static final String SESSION_ID_IN_USE = "session_id_in_use";

  private static final Logger log = LoggerFactory.getLogger(PrepaidAdmission.class);
  private static final int HOUR = 60;

  private final Reservations reservations;
  private final Supplier<BillingConfig> config;

  public PrepaidAdmission(Reservations reservations, Supplier<BillingConfig> config) {
    this.reservations = reservations;
    this.config = config;
  }

  /**
   * Reserves the session's hold from the organization's balance in its currency, once per
   * session id; allows the session when it is reserved (or was, by an earlier ask), or when it
   * holds nothing (no priced resource, or {@code subscription} mode).
   *
   * @param planId the organization's plan, a prepaid one (the caller checked)
   * @throws Sql.DatabaseException the database failed (the host answers an outage with 503)
   */
  public AdmissionDecision reserve(
      AdmissionRequest request, String orgId, String planId, Currency currency) {
    BillingConfig current = config.get();
    Optional<CurrencyRates> rates = CurrencyRates.in(current, currency);
    if (rates.isEmpty()) {
      // as calculate-usage leaves such an account unrated until its currency is configured again
      log.warn(
          "{} is billed in {}, which has no rates: its session holds nothing", orgId, currency);
      return AdmissionDecision.allow();
    }
    SessionHold hold =
        SessionHold.of(
            request.resources(), rates.get(), current.billingMode(), current.hold(), currency);
    if (!hold.any()) {
      return AdmissionDecision.allow();
    }
    String plan = current.planName(planId);
    if (request.sessionId() == null) {
      return AdmissionDecision.deny(
          SESSION_ID_REQUIRED,
          ("Sessions of the %s plan are paid from the prepaid balance: starting one reserves its"
                  + " cost for its first %d minutes (%s) under its session_id, which the request"
                  + " must name.")
              .formatted(plan, hold.minutes(), MoneyText.of(hold.amount(), currency)));
    }
    Reservations.Attempt attempt;
    try {
      attempt = reservations.reserve(orgId, currency, request.sessionId(), hold.amount());
    } catch (SQLException e) {
      throw Sql.failure("reserving a session's hold for " + orgId, e);
    }
    return switch (attempt.outcome()) {
      case RESERVED, ALREADY_RESERVED -> AdmissionDecision.allow();
      case HELD_BY_ANOTHER ->
          AdmissionDecision.deny(
              SESSION_ID_IN_USE,
              ("Session %s is already admitted under another organization: a session id names"
                      + " one session.")
                  .formatted(request.sessionId()));
      case SHORT -> refusal(hold, attempt.balance(), plan);
    };
  }

  /**
   * {@value #INSUFFICIENT_BALANCE}: the hold, what is available, how much is short, and the
   * top-ups that would start the session (the amount short) and run it an hour (an hour's cost
   * less what is available), each in the currency's minor unit.
   */
  static AdmissionDecision refusal(SessionHold hold, Balance balance, String planName) {
    Currency currency = hold.currency();
    BigDecimal available = balance.available().max(BigDecimal.ZERO);
    BigDecimal shortBy = hold.amount().subtract(available);
    String reservedNow =
        balance.reserved().signum() > 0
            ? " (of a balance of %s, %s is reserved by running sessions)"
                .formatted(
                    MoneyText.of(balance.balance(), currency),
                    MoneyText.of(balance.reserved(), currency))
            : "";
    List<TopUp> topUp = new ArrayList<>();
    topUp.add(new TopUp(shortBy, currency.getCurrencyCode(), hold.minutes()));
    BigDecimal forAnHour = hold.perHour().subtract(available);
    String orAnHour = "";
    if (hold.minutes() < HOUR && forAnHour.compareTo(shortBy) > 0) {
      topUp.add(new TopUp(forAnHour, currency.getCurrencyCode(), HOUR));
      orAnHour = ", or %s to run it for an hour".formatted(MoneyText.of(forAnHour, currency));
    }
    String reason =
        ("Prepaid balance too low: sessions of the %s plan are paid from the prepaid balance,"
                + " and starting this one reserves %s, its cost for its first %d minutes, while %s"
                + " is available%s: %s short. Top up %s to start it%s.")
            .formatted(
                planName,
                MoneyText.of(hold.amount(), currency),
                hold.minutes(),
                MoneyText.of(available, currency),
                reservedNow,
                MoneyText.of(shortBy, currency),
                MoneyText.of(shortBy, currency),
                orAnHour);
    return AdmissionDecision.deny(INSUFFICIENT_BALANCE, reason).withTopUp(topUp);
  }
}
