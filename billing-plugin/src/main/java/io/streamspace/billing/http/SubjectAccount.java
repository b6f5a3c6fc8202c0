package io.streamspace.billing.http;

import io.streamspace.billing.account.Account;
import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.common.http.ApiException;
import java.sql.SQLException;
import java.util.Currency;
import java.util.Optional;

/**
 * The account a read is about, the organization's ({@link OrgAccess}), and the currency its
 * figures are in.
 *
 * @param orgId the organization's id, which keys its account
 * @param currency the account's, or the configured one for an organization the caller belongs to
 *     that has no account yet (which simply has nothing to show)
 * @param team whether the account is a team organization's (false without an account)
 */
record SubjectAccount(String orgId, Currency currency, boolean team) {

  /** 404 when a platform admin names an organization (or a user) without an account. */
  static SubjectAccount of(SubjectOrg org, AccountRepository accounts, BillingConfig config)
      throws ApiException, SQLException {
    Optional<Account> account = accounts.find(org.id());
    if (account.isEmpty() && org.role() == null) {
      throw ApiException.notFound("no billing account for " + org.id());
    }
    return new SubjectAccount(
        org.id(),
        account.map(Account::currency).orElse(config.currency()),
        account.map(a -> !a.personal()).orElse(false));
  }
}
