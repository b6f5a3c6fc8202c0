package io.streamspace.billing.account;

import java.util.Currency;

/**
 * A billing account: the currency it is billed in and the plan it is on. Every account has one
 * user today, its owner, and is keyed by that user's id ({@code billing_accounts.user_id}).
 * Quotas, alerts and admission work per account ({@code accountId}) while the platform's events
 * name users; the ids are equal now, so an account that pays for several users later changes
 * only where a user is mapped to an account (the joins of {@code QuotaReadings} and {@code
 * StoredUseQuery}, and {@code Admission.accountOf}).
 */
public record Account(
    String userId, String email, Currency currency, String planId, String status) {}
