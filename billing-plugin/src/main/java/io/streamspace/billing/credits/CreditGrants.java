package io.streamspace.billing.credits;

import io.streamspace.billing.json.JsonMapper;
import io.streamspace.plugin.api.event.EventPublisher;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Grants credits: stores one, then tells the platform ({@value #GRANTED_EVENT}). */
public final class CreditGrants {

  /** Published with the granted credit as payload, once it is stored. */
  public static final String GRANTED_EVENT = "billing.credit.granted";

  private static final Logger log = LoggerFactory.getLogger(CreditGrants.class);

  private final CreditRepository credits;
  private final EventPublisher events;

  public CreditGrants(CreditRepository credits, EventPublisher events) {
    this.credits = credits;
    this.events = events;
  }

  /** The credit as stored; checked by the caller (amount, currency, expiry) beforehand. */
  public Credit grant(NewCredit credit) throws SQLException {
    Credit granted = credits.grant(credit);
    log.info(
        "credit {} of {} {} granted to {} by {}",
        granted.id(),
        granted.amount(),
        granted.currency(),
        granted.userId(),
        credit.grantedBy());
    events.publish(GRANTED_EVENT, JsonMapper.write(granted));
    return granted;
  }
}
