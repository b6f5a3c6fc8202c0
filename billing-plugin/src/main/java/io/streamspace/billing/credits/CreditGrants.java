package io.streamspace.billing.credits;

import io.streamspace.billing.audit.Cause;
import java.sql.SQLException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Grants credits: stores one, then tells the platform ({@code billing.credit.granted}, the
 * {@link Credit} as it is) through {@code onGranted}, which the plugin wires to its events under
 * that name. A {@link Consumer}: granting needs no publisher, only someone told afterwards.
 */
public final class CreditGrants {

  private static final Logger log = LoggerFactory.getLogger(CreditGrants.class);

  private final CreditRepository credits;
  private final Consumer<Credit> onGranted;

  public CreditGrants(CreditRepository credits, Consumer<Credit> onGranted) {
    this.credits = credits;
    this.onGranted = onGranted;
  }

  /**
   * The credit as stored with its audit entry; checked by the caller (amount, currency, expiry)
   * beforehand.
   */
  public Credit grant(NewCredit credit, Cause cause) throws SQLException {
    Credit granted = credits.grant(credit, cause);
    log.info(
        "credit {} of {} {} granted to {} by {}",
        granted.id(),
        granted.amount(),
        granted.currency(),
        granted.userId(),
        credit.grantedBy());
    onGranted.accept(granted);
    return granted;
  }
}
