package io.streamspace.billing.http;

import io.streamspace.billing.account.Account;
import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.common.http.ApiException;
import java.sql.SQLException;
import java.util.Currency;

/**
 * The account a read is about, the organization's ({@link OrgAccess}), and the currency its
 * figures are in.
 *
 * @param orgId the organization's id, which keys its account
 * @param currency the account's, or the configured one for an organization the caller belongs to
 *     that has no account yet (which simply has nothing to show)
 */
record SubjectAccount(String orgId, Currency currency) {

  /** 404 when a platform admin names an organization (or a user) without an account. */
  static SubjectAccount of(SubjectOrg org, AccountRepository accounts, BillingConfig config)
      throws ApiException, SQLException {
    Currency currency = accounts.find(org.id()).map(Account::currency).orElse(null);
    if (currency == null) {
      if (org.role() == null) {
        throw ApiException.notFound("no billing account for " + org.id());
      }
      currency = config.currency();
    }
    return new SubjectAccount(org.id(), currency);
  }
}
