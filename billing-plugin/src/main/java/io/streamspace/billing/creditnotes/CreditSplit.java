package io.streamspace.billing.creditnotes;

import io.streamspace.billing.creditnotes.CreditNoteRequest.LineCredit;
import io.streamspace.billing.money.LargestRemainder;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.MoneyText;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a note credits of each line and the tax it reverses with it. Pure.
 *
 * <p><b>A whole-invoice amount</b> is spread over the chargeable lines in proportion to what each
 * still holds, by largest remainder ({@link LargestRemainder}): each line gets its exact share
 * rounded down to the minor unit, and the minor units left over go one each to the lines with the
 * largest remainders (ties to the lower line number), so the parts add up to the amount exactly
 * and none exceeds what its line holds.
 *
 * <p><b>Tax</b> is reversed in proportion to what is credited of a line, cumulatively: after a
 * note, the tax credited of a line is {@code round(line tax × credited of the line ÷ line
 * amount)}, half up to the minor unit, and this note's tax is that less what earlier notes
 * reversed. So notes that credit a whole line, however many, reverse its whole tax, to the cent.
 */
final class CreditSplit {

  /** One line's part of the note: what it credits of the line, and the tax reversed. */
  record Part(int lineNo, BigDecimal amount, BigDecimal tax) {}

  private CreditSplit() {}

  /**
   * The parts of a note crediting {@code lines} (the request's per line) or {@code amount} (the
   * whole invoice's) of the invoice's {@code held} lines, in line order.
   *
   * @throws CreditNoteRefused 400 naming the field for a line that is not on the invoice or not a
   *     charge, an amount not above zero or with more decimals than the currency; 409 {@code
   *     over_credit} when more is asked of a line (or the invoice) than it still holds
   */
  static List<Part> of(
      List<Creditable.Line> held, List<LineCredit> lines, BigDecimal amount, Currency currency)
      throws CreditNoteRefused {
    Map<Integer, Creditable.Line> byNo = new TreeMap<>();
    held.forEach(line -> byNo.put(line.lineNo(), line));
    Map<Integer, BigDecimal> credits =
        lines != null ? perLine(byNo, lines, currency) : spread(byNo, amount, currency);
    List<Part> parts = new ArrayList<>();
    for (Map.Entry<Integer, BigDecimal> credit : credits.entrySet()) {
      if (credit.getValue().signum() > 0) {
        Creditable.Line line = byNo.get(credit.getKey());
        parts.add(
            new Part(line.lineNo(), credit.getValue(), tax(line, credit.getValue(), currency)));
      }
    }
    return parts;
  }

  private static Map<Integer, BigDecimal> perLine(
      Map<Integer, Creditable.Line> byNo, List<LineCredit> lines, Currency currency)
      throws CreditNoteRefused {
    if (lines.isEmpty()) {
      throw CreditNoteRefused.invalid("lines", "lines must name at least one line");
    }
    Map<Integer, BigDecimal> credits = new LinkedHashMap<>();
    Set<Integer> named = new HashSet<>();
    for (int i = 0; i < lines.size(); i++) {
      LineCredit credit = lines.get(i);
      String field = "lines[" + i + "]";
      Creditable.Line line = byNo.get(credit.lineNo());
      if (line == null || !line.chargeable()) {
        throw CreditNoteRefused.invalid(
            field + ".line",
            line == null
                ? "the invoice has no line " + credit.lineNo()
                : "line "
                    + credit.lineNo()
                    + " is a "
                    + line.kind()
                    + " line of "
                    + line.amount().toPlainString()
                    + ": only a line of what was billed, above zero, is credited");
      }
      if (!named.add(credit.lineNo())) {
        throw CreditNoteRefused.invalid(
            field + ".line", "line " + credit.lineNo() + " is named twice");
      }
      positive(field + ".amount", credit.amount(), currency);
      if (credit.amount().compareTo(line.holds()) > 0) {
        throw overCredit(line, credit.amount(), currency);
      }
      credits.put(credit.lineNo(), credit.amount());
    }
    return new TreeMap<>(credits);
  }

  private static Map<Integer, BigDecimal> spread(
      Map<Integer, Creditable.Line> byNo, BigDecimal amount, Currency currency)
      throws CreditNoteRefused {
    positive("amount", amount, currency);
    Map<Integer, BigDecimal> holds = new TreeMap<>();
    BigDecimal all = BigDecimal.ZERO;
    for (Creditable.Line line : byNo.values()) {
      if (line.holds().signum() > 0) {
        holds.put(line.lineNo(), amount.multiply(line.holds()));
        all = all.add(line.holds());
      }
    }
    if (amount.compareTo(all) > 0) {
      throw CreditNoteRefused.conflict(
          "over_credit",
          "the invoice's lines still hold %s in all: %s is more"
              .formatted(MoneyText.of(all, currency), MoneyText.of(amount, currency)),
          Map.of("holds", Money.shown(all, currency), "asked", amount));
    }
    return LargestRemainder.split(amount, holds, all, currency);
  }

  /** This note's share of the line's tax: what is credited of it by the end, less before. */
  private static BigDecimal tax(Creditable.Line line, BigDecimal credited, Currency currency) {
    if (line.tax().signum() == 0) {
      return Money.zero(currency);
    }
    BigDecimal after =
        line.tax()
            .multiply(line.creditedAmount().add(credited))
            .divide(line.amount(), Money.minorDigits(currency), RoundingMode.HALF_UP);
    return after.subtract(line.creditedTax()).max(Money.zero(currency));
  }

  private static void positive(String field, BigDecimal amount, Currency currency)
      throws CreditNoteRefused {
    if (amount == null || amount.signum() <= 0) {
      throw CreditNoteRefused.invalid(field, field + " must be greater than zero");
    }
    if (!Money.fitsMinorUnit(amount, currency)) {
      throw CreditNoteRefused.invalid(
          field,
          currency.getCurrencyCode()
              + " amounts have at most "
              + Money.minorDigits(currency)
              + " decimals");
    }
  }

  private static CreditNoteRefused overCredit(
      Creditable.Line line, BigDecimal asked, Currency currency) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("line", line.lineNo());
    details.put("holds", Money.shown(line.holds(), currency));
    details.put("asked", asked);
    if (line.refunded()) {
      return CreditNoteRefused.conflict(
          "over_credit",
          "line %d bills a store purchase refunded since: its refund credited what the line held"
                  .formatted(line.lineNo())
              + " back, so it holds nothing more",
          details);
    }
    return CreditNoteRefused.conflict(
        "over_credit",
        "line %d still holds %s (%s billed, %s credited by earlier notes): %s is more"
            .formatted(
                line.lineNo(),
                MoneyText.of(line.holds(), currency),
                MoneyText.of(line.amount(), currency),
                MoneyText.of(line.creditedAmount(), currency),
                MoneyText.of(asked, currency)),
        details);
  }
}
