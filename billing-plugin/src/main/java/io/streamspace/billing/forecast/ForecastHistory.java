package io.streamspace.billing.forecast;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.invoicing.PeriodCharges;
import io.streamspace.billing.invoicing.PeriodCharges.BucketOverage;
import io.streamspace.billing.invoicing.PlanTerm;
import io.streamspace.billing.invoicing.PlanTermRows;
import io.streamspace.billing.invoicing.UsageBucket;
import io.streamspace.billing.money.UsageUnit;
import io.streamspace.billing.rating.UsageRollup;
import io.streamspace.common.db.Sql;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What an organization's forecast is made from, as stored: the cost of its usage at the rates
 * it was rated at, per member and day in the billing zone, from the start of its history (up to
 * {@link Forecast#HISTORY_DAYS} whole days before today, none before the account's first whole
 * day) to now, read through the daily usage rollup as {@code /usage} reads it ({@link
 * UsageRollup#source}); and, in {@code hybrid} mode, each history day's overage, priced hour by
 * hour by the invoice's own rule ({@link PeriodCharges#bucketOverage}) against the plans the
 * organization was on.
 */
final class ForecastHistory {

  /**
   * One organization's days.
   *
   * @param days the history's days, oldest first (possibly none)
   * @param byMember each member's cost per day from the history's first day to today (the
   *     storage of the organization under the key "", as the rollup keeps it)
   */
  record Days(List<LocalDate> days, Map<String, SortedMap<LocalDate, BigDecimal>> byMember) {

    /** The member's cost of each history day, zero where they used nothing. */
    SortedMap<LocalDate, BigDecimal> history(String memberId) {
      SortedMap<LocalDate, BigDecimal> costs = byMember.getOrDefault(memberId, new TreeMap<>());
      SortedMap<LocalDate, BigDecimal> history = new TreeMap<>();
      days.forEach(day -> history.put(day, costs.getOrDefault(day, BigDecimal.ZERO)));
      return history;
    }

    /** Every member's cost of each history day, storage included. */
    SortedMap<LocalDate, BigDecimal> history() {
      SortedMap<LocalDate, BigDecimal> history = new TreeMap<>();
      days.forEach(day -> history.put(day, BigDecimal.ZERO));
      byMember
          .values()
          .forEach(
              costs ->
                  costs.forEach(
                      (day, cost) -> history.computeIfPresent(day, (d, sum) -> sum.add(cost))));
      return history;
    }
  }

  private static final NamedSql CREATED =
      NamedSql.of("SELECT created_at FROM billing_accounts WHERE user_id = :user_id");

  // Σ unit-seconds × unit price per member, day and resource type (its unit's divisor)
  private static final NamedSql BY_MEMBER_AND_DAY =
      NamedSql.of(
          """
          SELECT coalesce(r.member_id, ''), r.day, r.resource_type,
                 sum(r.unit_seconds * r.unit_price)
          FROM %s
          WHERE r.currency = :currency
          GROUP BY 1, 2, 3"""
              .formatted(UsageRollup.source(true, UsageRollup.Accounts.ONE)));

  // hybrid: the records per UTC clock hour (the buckets the invoice measures overage in), but
  // hibernated time's, which holds nothing (invoicing.PeriodCharges leaves it out too)
  private static final NamedSql BY_HOUR =
      NamedSql.of(
          """
          SELECT date_trunc('hour', e.slice_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
                 e.resource_type, e.unit_price, sum(e.unit_seconds)
          FROM billing_usage_records e
          WHERE e.user_id = :user_id AND e.currency = :currency
            AND e.slice_start >= :from AND e.slice_start < :to AND e.activity <> 'hibernated'
          GROUP BY 1, 2, 3""");

  private static final NamedSql TERMS =
      NamedSql.of(
          """
          SELECT %s FROM billing_subscriptions s
          WHERE s.user_id = :user_id AND s.started_at < :to
            AND (s.ended_at IS NULL OR s.ended_at > :from)
          ORDER BY s.started_at"""
              .formatted(PlanTermRows.COLUMNS));

  private ForecastHistory() {}

  /**
   * The organization's days up to {@code now}: its history (the whole days before today, at most
   * {@link Forecast#HISTORY_DAYS}, from its account's first whole day) and this period's so far.
   */
  static Days read(
      Connection connection,
      String orgId,
      Currency currency,
      Instant now,
      Instant periodStart,
      ZoneId zone)
      throws SQLException {
    List<LocalDate> days = historyDays(connection, orgId, now, zone);
    LocalDate first = days.isEmpty() ? now.atZone(zone).toLocalDate() : days.get(0);
    Instant from = first.atStartOfDay(zone).toInstant();
    from = from.isBefore(periodStart) ? from : periodStart;
    return new Days(days, byMember(connection, orgId, currency, from, now, zone));
  }

  /**
   * Each member's cost per day of {@code [from, to)} (the organization's storage under the key
   * ""), at the unit prices its usage was rated at.
   */
  static Map<String, SortedMap<LocalDate, BigDecimal>> byMember(
      Connection connection, String orgId, Currency currency, Instant from, Instant to, ZoneId zone)
      throws SQLException {
    Map<String, SortedMap<LocalDate, BigDecimal>> byMember = new HashMap<>();
    try (PreparedStatement statement =
            BY_MEMBER_AND_DAY
                .bind("user_id", orgId)
                .bind("currency", currency.getCurrencyCode())
                .bind("from", from)
                .bind("to", to)
                .bind("zone", zone.getId())
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        BigDecimal cost = cost(rs.getString(3), rs.getBigDecimal(4));
        byMember
            .computeIfAbsent(rs.getString(1), m -> new TreeMap<>())
            .merge(rs.getObject(2, LocalDate.class), cost, BigDecimal::add);
      }
    }
    return byMember;
  }

  /**
   * The cost of each history day's hybrid overage: per UTC clock hour and resource, what the
   * organization used past what its plans include then, priced as the invoice prices it.
   */
  static SortedMap<LocalDate, BigDecimal> overage(
      Connection connection, String orgId, Currency currency, List<LocalDate> days, ZoneId zone)
      throws SQLException {
    SortedMap<LocalDate, BigDecimal> overage = new TreeMap<>();
    days.forEach(day -> overage.put(day, BigDecimal.ZERO));
    if (days.isEmpty()) {
      return overage;
    }
    Instant from = days.get(0).atStartOfDay(zone).toInstant();
    Instant to = days.get(days.size() - 1).plusDays(1).atStartOfDay(zone).toInstant();
    List<UsageBucket> buckets = new ArrayList<>();
    try (PreparedStatement statement =
            BY_HOUR
                .bind("user_id", orgId)
                .bind("currency", currency.getCurrencyCode())
                .bind("from", from)
                .bind("to", to)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        Instant hour = Sql.instant(rs.getTimestamp(1));
        buckets.add(
            new UsageBucket(
                UsageUnit.ofResourceType(rs.getString(2)),
                hour,
                hour.plus(Duration.ofHours(1)),
                rs.getBigDecimal(4),
                rs.getBigDecimal(3)));
      }
    }
    for (BucketOverage over :
        PeriodCharges.bucketOverage(terms(connection, orgId, from, to), buckets)) {
      UsageBucket bucket = over.bucket();
      overage.merge(
          bucket.start().atZone(zone).toLocalDate(),
          cost(bucket.unit().resourceType(), over.unitSeconds().multiply(bucket.unitPrice())),
          BigDecimal::add);
    }
    return overage;
  }

  private static List<PlanTerm> terms(Connection connection, String orgId, Instant from, Instant to)
      throws SQLException {
    List<PlanTerm> terms = new ArrayList<>();
    try (PreparedStatement statement =
            TERMS.bind("user_id", orgId).bind("from", from).bind("to", to).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        terms.add(PlanTermRows.read(rs, 1));
      }
    }
    return terms;
  }

  /**
   * The whole days before today, at most {@link Forecast#HISTORY_DAYS}, none starting before the
   * account (none for an organization without one).
   */
  private static List<LocalDate> historyDays(
      Connection connection, String orgId, Instant now, ZoneId zone) throws SQLException {
    Instant created;
    try (PreparedStatement statement = CREATED.bind("user_id", orgId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next()) {
        return List.of();
      }
      created = Sql.instant(rs.getTimestamp(1));
    }
    LocalDate today = now.atZone(zone).toLocalDate();
    List<LocalDate> days = new ArrayList<>();
    for (LocalDate day = today.minusDays(Forecast.HISTORY_DAYS);
        day.isBefore(today);
        day = day.plusDays(1)) {
      if (!day.atStartOfDay(zone).toInstant().isBefore(created)) {
        days.add(day);
      }
    }
    return days;
  }

  /** Σ unit-seconds × unit price of a resource as money, at the forecast's working scale. */
  private static BigDecimal cost(String resourceType, BigDecimal pricedUnitSeconds) {
    return pricedUnitSeconds.divide(
        UsageUnit.ofResourceType(resourceType).unitSecondsPerUnit(),
        Forecast.SCALE,
        RoundingMode.HALF_EVEN);
  }
}
