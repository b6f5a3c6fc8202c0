package io.streamspace.billing.account;

import java.util.Currency;

/** A user's billing account: the currency it is billed in and the plan it is on. */
public record Account(
    String userId, String email, Currency currency, String planId, String status) {}
