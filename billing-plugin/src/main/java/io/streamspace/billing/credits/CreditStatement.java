package io.streamspace.billing.credits;

import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.List;

/**
 * An account's credits as its owner sees them: the balance usable now and every credit, newest
 * first, with where each was spent, so the balance can be explained line by line.
 *
 * @param balance Σ remaining of the credits not expired now, with the currency's decimals
 */
public record CreditStatement(
    String userId, String currency, BigDecimal balance, List<Entry> credits) {

  public CreditStatement {
    credits = List.copyOf(credits);
  }

  /**
   * One credit with its applications to invoices, oldest application first.
   *
   * @param expiredAmount what was left of it when it expired (or was forfeited), taken out of
   *     {@code remaining} the day after its expiry by check-quotas; null until then, or when
   *     nothing was left
   * @param kind {@code admin}, {@code fault} or {@code correction} ({@link Credit#kind})
   */
  public record Entry(
      long id,
      BigDecimal amount,
      BigDecimal remaining,
      String reason,
      String grantedBy,
      Instant grantedAt,
      Instant expiresAt,
      boolean expired,
      BigDecimal expiredAmount,
      List<CreditApplication> applications,
      String kind) {

    public Entry {
      applications = List.copyOf(applications);
    }
  }

  /**
   * A credit and where it was spent, as read.
   *
   * @param expiredAmount what was left of it when it expired, with the currency's decimals; null
   *     when nothing was
   */
  public record History(
      Credit credit, BigDecimal expiredAmount, List<CreditApplication> applications) {}

  /**
   * @param history the account's credits, in the order to show them
   * @param now     what "expired" is judged against
   */
  public static CreditStatement of(
      String orgId, Currency currency, List<History> history, Instant now) {
    BigDecimal balance = Money.zero(currency);
    for (History h : history) {
      if (!h.credit().expiredAt(now)) {
        balance = balance.add(h.credit().remaining());
      }
    }
    List<Entry> entries =
        history.stream()
            .map(
                h -> {
                  Credit c = h.credit();
                  return new Entry(
                      c.id(),
                      c.amount(),
                      c.remaining(),
                      c.reason(),
                      c.grantedBy(),
                      c.grantedAt(),
                      c.expiresAt(),
                      c.expiredAt(now),
                      h.expiredAmount(),
                      h.applications(),
                      c.kind());
                })
            .toList();
    return new CreditStatement(
        orgId, currency.getCurrencyCode(), Money.shown(balance, currency), entries);
  }
}
