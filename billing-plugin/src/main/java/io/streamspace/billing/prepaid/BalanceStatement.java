package io.streamspace.billing.prepaid;

import java.math.BigDecimal;
import java.util.List;

/**
 * An organization's prepaid balance in its currency, with a page of its entries, newest first.
 * An organization that never held one has a balance of zero and no entries.
 *
 * @param available balance - reserved: what may still be paid or reserved from it
 * @param nextOffset the next page's offset; null on the last page
 */
public record BalanceStatement(
    String orgId,
    String currency,
    BigDecimal balance,
    BigDecimal reserved,
    BigDecimal available,
    List<LedgerEntry> entries,
    Integer nextOffset) {

  public BalanceStatement {
    entries = List.copyOf(entries);
  }
}
