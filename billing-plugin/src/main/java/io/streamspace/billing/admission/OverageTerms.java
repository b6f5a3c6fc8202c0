package io.streamspace.billing.admission;

import io.streamspace.billing.catalog.MeterRates;
import io.streamspace.billing.quota.QuotaRule;
import java.util.Currency;
import java.util.Optional;

/**
 * What admission needs to judge a soft counter's overage: the quota rule, and the account's
 * currency with its meter rates (empty: none in it) to tell the cost of going on.
 */
record OverageTerms(QuotaRule rule, Currency currency, Optional<MeterRates> rates) {}
