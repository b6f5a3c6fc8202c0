package io.streamspace.billing.store.share;

import io.streamspace.billing.catalog.share.Tier;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One line of a {@link CreatorStatement}; its {@code creatorShare} is what it changes the
 * creator's balance by. The signs by kind (checked when made):
 *
 * <ul>
 *   <li>{@code sale}: gross more than 0, both shares at least 0, {@code platform + creator =
 *       gross} ({@link #sale}: a {@link SaleSplit} as it is, with the highest tier it reached);
 *   <li>{@code refund}, {@code chargeback}: the negative of (part of) a sale, all three at most
 *       0, {@code platform + creator = gross} ({@link #clawBack}: a {@link RevenueShare#clawBack});
 *   <li>{@code payout}: money sent to the creator outside this statement's own payout (a manual
 *       or earlier transfer): gross and platform 0, creator less than 0, the amount paid;
 *   <li>{@code adjustment}: an operator's correction of the balance, any signs and no sum checked:
 *       a goodwill 5.00 out of the platform's share is platform −5.00, creator 5.00; a returned
 *       transfer, creator + the amount. Its gross counts in neither sales nor refunds.
 * </ul>
 *
 * @param tier the highest tier a sale reached; empty on every other kind
 */
public record StatementLine(
    String kind,
    String reference,
    Instant at,
    BigDecimal gross,
    BigDecimal platformShare,
    BigDecimal creatorShare,
    Optional<Tier> tier) {

  public static final String SALE = "sale";
  public static final String REFUND = "refund";
  public static final String CHARGEBACK = "chargeback";
  public static final String PAYOUT = "payout";
  public static final String ADJUSTMENT = "adjustment";

  private static final Set<String> KINDS = Set.of(SALE, REFUND, CHARGEBACK, PAYOUT, ADJUSTMENT);

  public StatementLine {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(gross, "gross");
    Objects.requireNonNull(platformShare, "platformShare");
    Objects.requireNonNull(creatorShare, "creatorShare");
    Objects.requireNonNull(tier, "tier");
    if (!KINDS.contains(kind)) {
      throw new IllegalArgumentException(
          "unknown statement line kind " + kind + ", not one of " + KINDS);
    }
    if (tier.isPresent() && !kind.equals(SALE)) {
      throw new IllegalArgumentException("only a sale line has a tier, not a " + kind);
    }
    boolean signsFit =
        switch (kind) {
          case SALE ->
              gross.signum() > 0 && platformShare.signum() >= 0 && creatorShare.signum() >= 0;
          case REFUND, CHARGEBACK ->
              gross.signum() < 0 && platformShare.signum() <= 0 && creatorShare.signum() <= 0;
          case PAYOUT ->
              gross.signum() == 0 && platformShare.signum() == 0 && creatorShare.signum() < 0;
          default -> true;
        };
    if (!signsFit) {
      throw new IllegalArgumentException(
          "a %s line cannot have gross %s, platform %s, creator %s"
              .formatted(
                  kind,
                  gross.toPlainString(),
                  platformShare.toPlainString(),
                  creatorShare.toPlainString()));
    }
    if (!kind.equals(PAYOUT)
        && !kind.equals(ADJUSTMENT)
        && platformShare.add(creatorShare).compareTo(gross) != 0) {
      throw new IllegalArgumentException(
          "%s %s: platform %s + creator %s is not the gross %s"
              .formatted(
                  kind,
                  reference,
                  platformShare.toPlainString(),
                  creatorShare.toPlainString(),
                  gross.toPlainString()));
    }
  }

  /** A line without a tier (every kind but a sale's). */
  public StatementLine(
      String kind,
      String reference,
      Instant at,
      BigDecimal gross,
      BigDecimal platformShare,
      BigDecimal creatorShare) {
    this(kind, reference, at, gross, platformShare, creatorShare, Optional.empty());
  }

  /** The line of a sale split by {@link RevenueShare#split}. */
  public static StatementLine sale(String reference, Instant at, SaleSplit split) {
    return new StatementLine(
        SALE,
        reference,
        at,
        split.gross(),
        split.platformShare(),
        split.creatorShare(),
        split.highestTier());
  }

  /** The line of a refund or chargeback ({@code kind}): a {@link RevenueShare#clawBack}. */
  public static StatementLine clawBack(
      String kind, String reference, Instant at, SaleSplit clawBack) {
    return new StatementLine(
        kind, reference, at, clawBack.gross(), clawBack.platformShare(), clawBack.creatorShare());
  }

  /** A payout of {@code amount} (more than 0) made outside the statement's own payout. */
  public static StatementLine payout(String reference, Instant at, BigDecimal amount) {
    return new StatementLine(
        PAYOUT,
        reference,
        at,
        BigDecimal.ZERO.setScale(amount.scale()),
        BigDecimal.ZERO.setScale(amount.scale()),
        amount.negate());
  }
}
