package io.streamspace.billing.admission;

import io.streamspace.billing.caps.MemberCap;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.hold.HoldReason;
import io.streamspace.billing.money.MoneyText;
import io.streamspace.billing.prepaid.SessionHold;
import io.streamspace.billing.rating.CurrencyRates;
import io.streamspace.billing.reserve.LimitReservations;
import io.streamspace.billing.reserve.LimitReservations.Room;
import io.streamspace.billing.spend.BlockLimits;
import io.streamspace.billing.spend.PeriodCostSoFar;
import io.streamspace.common.db.Sql;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.AdmissionRequest;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission's step that makes the spending limit (action {@code block}) and the member's cap
 * hold across nodes: once every rule from memory allowed a session, its hold ({@link
 * SessionHold}, its first {@code holdMinutes}' cost) is reserved against its organization's block
 * limit less the period's cost so far, rated and unrated ({@link BlockLimits}; the hold is
 * released once its minutes have passed, its cost then being in that estimate), and its size
 * against each capped meter of its member, all at once ({@link LimitReservations}); short in
 * any, it is refused ({@code spending_limit_reached}, {@value MemberCapRule#CODE}) saying what
 * was short. An organization without a block limit and a member without a cap are decided from
 * memory alone, without a read. A request that names no session reserves nothing (nothing could
 * release it): it is decided from memory, as before.
 */
final class LimitStep {

  private static final Logger log = LoggerFactory.getLogger(LimitStep.class);

  /**
   * The step's answer.
   *
   * @param reserved whether this call reserved something, for {@link #cancel} to undo when a
   *     later step refuses the session
   */
  record Taken(AdmissionDecision decision, boolean reserved) {}

  private static final String SPEND = "spend ";
  private static final String MEMBER = "member ";

  private final LimitReservations reservations;
  private final BlockLimits blockLimits;

  LimitStep(DataSource dataSource, PeriodCostSoFar costs, Clock clock) {
    this.reservations = new LimitReservations(dataSource, clock);
    this.blockLimits = new BlockLimits(dataSource, costs);
  }

  /** Reads which organizations have a block limit (with admission's view). */
  void reload() throws SQLException {
    blockLimits.reload();
  }

  /**
   * Reserves the session's hold against the block limit and its size against its member's caps.
   *
   * @param member the session's member under the organization, null for a personal one
   * @param memberUse the member's use and cap, null without a cap
   * @param periodStart the billing period the spending limit's reservation counts in
   * @throws Sql.DatabaseException the database failed (the host answers an outage with 503)
   */
  Taken reserve(
      AdmissionRequest request,
      BillingConfig config,
      String orgId,
      Currency currency,
      String member,
      MemberUse memberUse,
      Instant periodStart) {
    if (request.sessionId() == null) {
      return new Taken(AdmissionDecision.allow(), false);
    }
    try {
      List<Room> rooms = new ArrayList<>();
      Map<String, Meter> capped = new HashMap<>();
      if (memberUse != null) {
        for (Meter meter : MemberCap.METERS) {
          BigDecimal cap = memberUse.cap().get(meter);
          BigDecimal needed = AdmissionRules.needed(request.resources(), meter);
          if (cap != null && needed.signum() > 0) {
            String name = MEMBER + member + " " + meter.configName();
            rooms.add(new Room(name, needed, cap, false));
            capped.put(name, meter);
          }
        }
      }
      Optional<SessionHold> hold = Optional.empty();
      Optional<BlockLimits.Room> limit = blockLimits.roomOf(orgId, currency); // memory, if none
      Optional<CurrencyRates> rates = CurrencyRates.in(config, currency);
      if (limit.isPresent() && rates.isPresent()) {
        hold =
            Optional.of(
                    SessionHold.of(
                        request.resources(),
                        rates.get(),
                        config.billingMode(),
                        config.hold(),
                        currency))
                .filter(SessionHold::any);
        hold.ifPresent(
            h -> rooms.add(new Room(SPEND + periodStart, h.amount(), limit.get().left(), true)));
      }
      if (rooms.isEmpty()) {
        return new Taken(AdmissionDecision.allow(), false);
      }
      LimitReservations.Attempt attempt =
          reservations.reserve(orgId, request.sessionId(), rooms, config.hold());
      return switch (attempt.outcome()) {
        case RESERVED -> new Taken(AdmissionDecision.allow(), true);
        case ALREADY_RESERVED -> new Taken(AdmissionDecision.allow(), false);
        case SHORT -> {
          Room room = attempt.shortRoom();
          AdmissionDecision refused =
              room.name().startsWith(SPEND)
                  ? spendRefusal(hold.orElseThrow(), limit.orElseThrow(), attempt.reserved())
                  : capRefusal(capped.get(room.name()), room, attempt.reserved(), member, orgId);
          yield new Taken(refused, false);
        }
      };
    } catch (SQLException e) {
      throw Sql.failure("reserving a session against the limits of " + orgId, e);
    }
  }

  /**
   * Undoes what {@link #reserve} reserved for a session a later step refused or failed on. After
   * a failure ({@code afterFailure}), a failure here too is logged, not thrown, so that the
   * step's own failure reaches the host; check-quotas then releases the reservation as never
   * started.
   */
  void cancel(String orgId, String sessionId, boolean afterFailure) {
    RuntimeException failure;
    try {
      reservations.cancel(orgId, sessionId);
      return;
    } catch (SQLException e) {
      failure = Sql.failure("undoing the reservation of session " + sessionId, e);
    } catch (RuntimeException e) {
      failure = e;
    }
    if (!afterFailure) {
      throw failure;
    }
    log.warn(
        "{}: the reservation of {} not undone yet; check-quotas releases it",
        orgId,
        sessionId,
        failure);
  }

  /**
   * {@code spending_limit_reached}: the limit, the estimate, what running sessions reserved, the
   * session's hold and how much is short.
   */
  static AdmissionDecision spendRefusal(
      SessionHold hold, BlockLimits.Room limit, BigDecimal reserved) {
    Currency currency = hold.currency();
    BigDecimal left = limit.left().subtract(reserved).max(BigDecimal.ZERO);
    return AdmissionDecision.deny(
        HoldReason.SPENDING_LIMIT.admissionCode(),
        ("Spending limit reached: starting this session reserves %s, its cost for its first %d"
                + " minutes, against the spending limit of %s, of which this period's estimated"
                + " cost takes %s and sessions started within their first %d minutes reserve"
                + " %s: %s is left, %s short. Raise the spending limit to start it.")
            .formatted(
                MoneyText.of(hold.amount(), currency),
                hold.minutes(),
                MoneyText.of(limit.limit(), currency),
                MoneyText.of(limit.spent(), currency),
                hold.minutes(),
                MoneyText.of(reserved, currency),
                MoneyText.of(left, currency),
                MoneyText.of(hold.amount().subtract(left), currency)));
  }

  /** {@value MemberCapRule#CODE}: the meter, what the member's sessions hold, the cap. */
  static AdmissionDecision capRefusal(
      Meter meter, Room room, BigDecimal reserved, String member, String orgId) {
    AdmissionRules.Label label = AdmissionRules.label(meter);
    return AdmissionDecision.deny(
        MemberCapRule.CODE,
        ("%s cap reached: %s %s reserved by the sessions of %s under %s plus %s for this session"
                + " would pass the cap of %s %s set for %s inside %s.")
            .formatted(
                label.name(),
                AdmissionRules.plain(reserved),
                label.units(),
                member,
                orgId,
                AdmissionRules.plain(room.amount()),
                AdmissionRules.plain(room.room()),
                label.units(),
                member,
                orgId));
  }
}
