package io.streamspace.billing.http;

import io.streamspace.billing.account.Account;
import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.common.http.ApiException;
import io.streamspace.plugin.api.http.HttpRequest;
import java.sql.SQLException;
import java.util.Currency;

/**
 * The account a user read is about: the {@code user_id} parameter (admins) or the caller, and
 * the currency its figures are in.
 *
 * @param currency the account's, or the configured one for a caller who has no account yet (who
 *                 simply has nothing to show)
 */
record SubjectAccount(String userId, Currency currency) {

  /**
   * 401 without a caller; 403 for another user's data unless admin; 404 when an admin names a
   * user without an account.
   */
  static SubjectAccount of(HttpRequest request, AccountRepository accounts, BillingConfig config)
      throws ApiException, SQLException {
    String userId = Access.subjectUser(request);
    Currency currency = accounts.find(userId).map(Account::currency).orElse(null);
    if (currency == null) {
      if (!userId.equals(request.caller().userId())) {
        throw ApiException.notFound("no billing account for user " + userId);
      }
      currency = config.currency();
    }
    return new SubjectAccount(userId, currency);
  }
}
