package io.streamspace.billing.rating;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

/**
 * The unrated time RatingRepository's RANGE found, for one share of the accounts or several.
 *
 * @param earliest           where the unrated time starts; null: nothing to rate
 * @param seconds            the work in the rated currencies, in seconds
 * @param subjects           the sessions and accounts with some of it to rate now
 * @param currenciesUnrated  the currencies of subjects left unrated for want of rates
 */
record UnratedWork(
    Instant earliest, BigDecimal seconds, long subjects, List<String> currenciesUnrated) {

  /** This share's work and another's, as one. */
  UnratedWork plus(UnratedWork other) {
    Instant first =
        earliest == null || other.earliest != null && other.earliest.isBefore(earliest)
            ? other.earliest
            : earliest;
    return new UnratedWork(
        first,
        seconds.add(other.seconds),
        subjects + other.subjects,
        Stream.concat(currenciesUnrated.stream(), other.currenciesUnrated.stream())
            .distinct()
            .sorted()
            .toList());
  }
}
