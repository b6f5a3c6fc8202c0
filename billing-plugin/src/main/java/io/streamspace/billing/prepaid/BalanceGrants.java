package io.streamspace.billing.prepaid;

import io.streamspace.billing.audit.Cause;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Currency;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Money a platform admin puts on an organization's prepaid balance: posted as a {@code grant}
 * entry (with its audit entry), then told once it has committed through {@code onToppedUp},
 * which the plugin wires to {@code billing.balance.topped_up}. A grant of a source posted before
 * (a retry) posts and tells nothing again: the first grant is answered.
 */
public final class BalanceGrants {

  /** A source posted before for another grant: another organization, currency or amount. */
  public static final class SourceReused extends Exception {
    SourceReused(String source) {
      super("this Idempotency-Key was used for another grant (" + source + ")");
    }
  }

  private static final Logger log = LoggerFactory.getLogger(BalanceGrants.class);

  private final PrepaidLedger ledger;
  private final Consumer<BalanceChange> onToppedUp;

  public BalanceGrants(PrepaidLedger ledger, Consumer<BalanceChange> onToppedUp) {
    this.ledger = ledger;
    this.onToppedUp = onToppedUp;
  }

  /**
   * Grants {@code amount} (checked by the caller: positive, in the currency's minor unit, the
   * organization's account in that currency) with the admin's reason.
   *
   * @param source unique to this grant: the same source again answers the first grant
   * @throws SourceReused when the source was a grant of another organization, currency or amount
   */
  public BalanceChange grant(
      String orgId, Currency currency, BigDecimal amount, String source, Instant now, Cause cause)
      throws SQLException, SourceReused {
    PrepaidLedger.Posted posted =
        ledger.post(
            new NewEntry(
                orgId,
                currency,
                EntryKind.GRANT,
                amount,
                cause.reason(),
                source,
                null,
                now,
                cause));
    LedgerEntry entry = posted.entry();
    if (!posted.fresh()) {
      if (!posted.orgId().equals(orgId)
          || !posted.currency().equals(currency)
          || !entry.kind().equals(EntryKind.GRANT.value())
          || entry.amount().compareTo(amount) != 0) {
        throw new SourceReused(source);
      }
      return posted.change();
    }
    log.info(
        "prepaid balance of {} {}: {} granted by {}, now {}",
        orgId,
        currency,
        entry.amount(),
        cause.actor().id(),
        posted.balance());
    onToppedUp.accept(posted.change());
    return posted.change();
  }
}
