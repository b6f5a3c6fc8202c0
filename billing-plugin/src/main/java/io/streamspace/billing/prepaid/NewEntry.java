package io.streamspace.billing.prepaid;

import io.streamspace.billing.audit.Cause;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.Objects;

/**
 * An entry to post to an organization's balance in a currency ({@link PrepaidLedger#post}).
 *
 * @param amount signed as its kind requires, in the currency's minor unit
 * @param reason what the statement says of it: an admin's reason, "invoice 42"
 * @param source where it comes from, unique among all entries: a second entry of the same source
 *     is never posted (a retried request, a webhook delivered twice, a finalization run again)
 * @param invoiceId the invoice it paid or gave back; null for any other kind
 * @param cause who made it, for the entry's actor and its audit entry
 */
public record NewEntry(
    String orgId,
    Currency currency,
    EntryKind kind,
    BigDecimal amount,
    String reason,
    String source,
    Long invoiceId,
    Instant at,
    Cause cause) {

  public NewEntry {
    Objects.requireNonNull(orgId, "orgId");
    Objects.requireNonNull(currency, "currency");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(cause, "cause");
    if (amount.signum() == 0 || (amount.signum() > 0) != kind.moneyIn()) {
      throw new IllegalArgumentException(kind.value() + " of " + amount + ": the wrong sign");
    }
  }

  /** The organization and currency of its balance, as one key. */
  String balanceKey() {
    return orgId + ' ' + currency.getCurrencyCode();
  }
}
