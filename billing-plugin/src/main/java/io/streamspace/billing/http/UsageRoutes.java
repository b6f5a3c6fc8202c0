package io.streamspace.billing.http;

import io.streamspace.billing.account.Account;
import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.rating.UsageLine;
import io.streamspace.billing.rating.UsageRecordRepository;
import io.streamspace.billing.rating.UsageStatement;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpRoutes;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** {@code GET /usage}: a user's rated usage and its cost over a period. */
public final class UsageRoutes {

  /** The JSON body of {@code GET /usage}. */
  record UsageJson(String userId, Instant periodStart, Instant periodEnd, String currency,
      List<UsageLine> lines, BigDecimal totalCost) {

    static UsageJson of(UsageStatement s) {
      return new UsageJson(s.userId(), s.periodStart(), s.periodEnd(),
          s.currency().getCurrencyCode(), s.lines(), s.totalCost());
    }
  }

  private final AccountRepository accounts;
  private final UsageRecordRepository records;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public UsageRoutes(AccountRepository accounts, UsageRecordRepository records,
      Supplier<BillingConfig> config, Clock clock) {
    this.accounts = accounts;
    this.records = records;
    this.config = config;
    this.clock = clock;
  }

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.GET, "/usage", JsonRoute.of(this::usage));
  }

  /**
   * 200 with the statement; 401 without a caller; 403 for another user's data unless admin;
   * 404 when an admin names a user without an account; 400 for a bad range.
   */
  UsageJson usage(HttpRequest request) throws Exception {
    String userId = Access.subjectUser(request);
    BillingConfig current = config.get();
    TimeRange range = TimeRange.of(request, current.billingTimeZone(), clock);
    Optional<Account> account = accounts.find(userId);
    if (account.isEmpty() && !userId.equals(request.caller().userId())) {
      throw ApiException.notFound("no billing account for user " + userId);
    }
    // a caller without an account yet simply has no usage, in the configured currency
    Currency currency = account.map(Account::currency).orElse(current.currency());
    return UsageJson.of(UsageStatement.of(userId, range.from(), range.to(), currency,
        records.sums(userId, range.from(), range.to())));
  }
}
