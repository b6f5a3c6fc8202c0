package io.streamspace.billing.config;

import static io.streamspace.billing.config.DefaultCatalog.VND;
import static io.streamspace.billing.config.ValueType.AMOUNT;
import static io.streamspace.billing.config.ValueType.flag;
import static io.streamspace.billing.config.ValueType.whole;

import io.streamspace.billing.catalog.BillingMode;
import io.streamspace.billing.catalog.CapacityPack;
import io.streamspace.billing.catalog.ComputeRates;
import io.streamspace.billing.catalog.LimitKind;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.MeterRates;
import io.streamspace.billing.catalog.Meters;
import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.catalog.share.ShareTable;
import io.streamspace.billing.catalog.share.ShareTerms;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.tax.TaxBehavior;
import java.math.BigDecimal;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The table of billing config keys: each key's name, type (how it is read, and what it allows),
 * default and meaning, stated once. The parser, the schema the catalog serves, the effective
 * config and the table of docs/reference/configuration.md all come from it, in its order. Adding a
 * key is one entry here plus its use (an accessor in {@link BillingConfig}); the build regenerates
 * the page's table (ConfigurationReferenceTest).
 */
final class BillingKeys {

  private static final List<BillingKey<?>> declared = new ArrayList<>();

  private static final String STRIPE = "Required while stripeEnabled is true";

  /** Every key, in the order declared below ({@link #key} and {@link #secret} add each). */
  static final List<BillingKey<?>> ALL = Collections.unmodifiableList(declared);

  static final BillingKey<Boolean> ENABLED =
      key("enabled", flag(), true, "Whether billing meters sessions");
  static final BillingKey<BillingMode> BILLING_MODE =
      key(
          "billingMode",
          ValueType.oneOf(List.of(BillingMode.values()), BillingMode::configName),
          BillingMode.USAGE,
          "%s (plan fee plus overage)");
  static final BillingKey<ComputeRates> COMPUTE_RATES =
      key(
          "computeRates",
          Rates.COMPUTE.merged,
          new ComputeRates(new BigDecimal("0.05"), new BigDecimal("0.01"), new BigDecimal("0.10")),
          "Unit prices in the configured currency, each %s");
  static final BillingKey<Map<Currency, ComputeRates>> CURRENCY_RATES =
      key(
          "currencyRates",
          Rates.COMPUTE.byCurrency,
          Map.of(
              VND,
              new ComputeRates(
                  new BigDecimal("1250"), new BigDecimal("250"), new BigDecimal("2500"))),
          "Unit prices in each further currency accounts may be opened in, keyed by ISO 4217 "
              + "code: {\"VND\": {cpu_per_core_hour, memory_per_gb_hour, storage_per_gb_month}}, "
              + "all three required (%s). The supported currencies are currency and these keys "
              + "(left out: VND, while currency is not VND, every plan, saved pack and custom "
              + "meter has a VND price and a saved currencyMeterRates has VND; else none)");
  static final BillingKey<MeterRates> METER_RATES =
      key(
          "meterRates",
          Rates.METER.merged,
          new MeterRates(
              Map.of(
                  Meter.BANDWIDTH_GB, new BigDecimal("0.08"),
                  Meter.TRANSCODING_MINUTES, new BigDecimal("0.02"),
                  Meter.AI_QUERIES, new BigDecimal("0.001"))),
          "Unit prices in the configured currency of the period counters above a plan's "
              + "included amount (soft limits), invoiced as overage lines, each %s; and members, "
              + "the price of a seat per billing period above a plan's included seats (optional: "
              + "10.00 in USD, 250000 in VND by default)");
  static final BillingKey<Map<Currency, MeterRates>> CURRENCY_METER_RATES =
      key(
          "currencyMeterRates",
          Rates.METER.byCurrency,
          Map.of(
              VND,
              new MeterRates(
                  Map.of(
                      Meter.BANDWIDTH_GB, new BigDecimal("2000"),
                      Meter.TRANSCODING_MINUTES, new BigDecimal("500"),
                      Meter.AI_QUERIES, new BigDecimal("25"),
                      Meter.MEMBERS, new BigDecimal("250000")))),
          "meterRates in each further currency of currencyRates, keyed by ISO 4217 code: "
              + "{\"VND\": {bandwidth_gb, transcoding_minutes, ai_queries, members}}, all but "
              + "members required (%s; a currency without a members price, configured or default, "
              + "bills no seats; left out: the default's rates of the currencies of "
              + "currencyRates)");
  static final BillingKey<Meters> METERS =
      key(
          "meters",
          MeterList.TYPE,
          Meters.DEFAULT,
          "The meters plans may limit, packs may add to and the platform may report "
              + "(usage.reported), in the order they are shown: the built-in ones listed by "
              + "id (cpu_cores, memory_gb, active_sessions and storage_gb cannot be removed; "
              + "members, the seats, is always there, last when not listed), "
              + "custom counters {id, name, unit, kind counter (optional), aggregation (sum or "
              + "max of a period's reports), prices (per unit, in every supported currency)}, "
              + "billed above a plan's soft included amount, and held meters {id, name, unit, "
              + "kind held, prices (per unit-hour, in every supported currency)}, amounts "
              + "sessions hold (their events' resources), billed per unit-hour and limited as "
              + "cores are. A "
              + "meter with unbilled usage cannot be removed");
  static final BillingKey<ActivityRates> ACTIVITY_RATES =
      key(
          "activityRates",
          ActivityRates.TYPE,
          ActivityRates.NONE,
          "Factors (%s, at most 6 decimals) a session's cpu_cores, memory_gb and held meters' "
              + "unit prices are multiplied by while its events report it idle or disconnected "
              + "(session.activity): {\"idle\": {\"cpu_cores\": 0.5}, \"disconnected\": "
              + "{\"cpu_cores\": 0.25, \"gpu\": 0}}. A resource or state not named keeps the "
              + "full price (factor 1), so by default activity changes nothing; idle time at a "
              + "factor is billed on lines of its own that show what it saved. A change applies "
              + "to time rated after it");
  static final BillingKey<Integer> HIBERNATE_AFTER_IDLE_MINUTES =
      key(
          "hibernateAfterIdleMinutes",
          whole(0, 10080),
          0,
          "Minutes (%s; 0: never) after which a session its events report idle or disconnected"
              + " all along is suspended through the host (reason hibernated) by check-balances"
              + " and billed for storage only until the platform reports it active again"
              + " (session.resumed, or a heartbeat with activity active)");
  static final BillingKey<List<SubscriptionPlan>> SUBSCRIPTION_PLANS =
      key(
          "subscriptionPlans",
          Plans.TYPE,
          DefaultCatalog.PLANS,
          "Plans: id (unique), name, price ("
              + AMOUNT.allowed()
              + ", in currency, no more decimals than it has), interval ("
              + Plans.INTERVAL.allowed()
              + "), cpu_limit, memory_limit, storage_limit, prices (the price in each currency "
              + "of currencyRates, all required), limits ({\"<meter>\": {limit, kind}}, kind "
              + LimitKind.HARD.configName()
              + " or "
              + LimitKind.SOFT.configName()
              + "), prepaid (true: its organizations pay usage from a prepaid balance; default"
              + " false), trial_days ("
              + Plans.TRIAL_DAYS.allowed()
              + ": an organization starting the plan for the first time has its limits without"
              + " its fee for that long; not on defaultPlan, where a trial falls back to)");
  static final BillingKey<String> DEFAULT_PLAN =
      key("defaultPlan", ValueType.text(), "free", "The plan id new accounts start on");
  static final BillingKey<List<CapacityPack>> CAPACITY_PACKS =
      key(
          "capacityPacks",
          CapacityPacks.TYPE,
          DefaultCatalog.PACKS,
          "Packs accounts may buy: id (unique), name, adds ({\"<meter>\": amount above 0}, at "
              + "least one), prices (the price in each supported currency, all required, no more "
              + "decimals than the currency has), kind ("
              + CapacityPacks.KIND.allowed()
              + "), valid_days (one_time only, "
              + CapacityPacks.VALID_DAYS.allowed()
              + ")");
  static final BillingKey<Integer> INVOICE_DAY =
      key(
          "invoiceDay",
          whole(1, 28),
          1,
          "Day of month (%s) billing periods start, at midnight in billingTimeZone");
  static final BillingKey<String> USAGE_CALCULATION_INTERVAL =
      key(
          "usageCalculationInterval",
          ValueType.cron(),
          "0 * * * *",
          "When calculate-usage runs (5-field Unix cron)");
  static final BillingKey<String> QUOTA_CHECK_INTERVAL =
      key(
          "quotaCheckInterval",
          ValueType.cron(),
          "*/5 * * * *",
          "When check-quotas runs and sends quota alerts (5-field Unix cron)");
  static final BillingKey<Integer> ALERT_THRESHOLD =
      key("alertThreshold", whole(1, 100), 80, "Percent of a quota (%s) that triggers a warning");
  static final BillingKey<Boolean> AUTO_SUSPEND_ON_OVERAGE =
      key(
          "autoSuspendOnOverage",
          flag(),
          false,
          "Suspend the sessions of an account over a hard limit for longer than "
              + "gracePeriodDays, and resume them once it is back within its limits");
  static final BillingKey<Integer> GRACE_PERIOD_DAYS =
      key(
          "gracePeriodDays",
          whole(0, 365),
          7,
          "Days (%s) an account may stay over a hard limit before it is suspended");
  static final BillingKey<Boolean> STRIPE_ENABLED =
      key(
          "stripeEnabled",
          flag(),
          false,
          "Take payments through Stripe; needs stripeSecretKey and stripeWebhookSecret");
  static final BillingKey<Boolean> STRIPE_TAX =
      key(
          "stripeTax",
          flag(),
          false,
          "Have Stripe Tax compute the tax of invoices and Checkout (automatic_tax) and collect"
              + " the customer's address and tax ids at Checkout; needs stripeEnabled");
  static final BillingKey<TaxBehavior> TAX_BEHAVIOR =
      key(
          "taxBehavior",
          ValueType.oneOf(List.of(TaxBehavior.values()), TaxBehavior::configName),
          TaxBehavior.EXCLUSIVE,
          "Whether prices and invoice lines exclude tax (tax added on top) or include it, as"
              + " Stripe Tax is told (%s)");
  static final BillingKey<Currency> CURRENCY =
      key(
          "currency",
          ValueType.text(
              code -> Money.currency(code).orElse(null),
              "must be a known ISO 4217 currency code, for example USD",
              Currency::getCurrencyCode),
          Currency.getInstance("USD"),
          "ISO 4217 currency of computeRates and plan prices, and of new accounts unless "
              + "user.created names another supported currency");
  static final BillingKey<ZoneId> BILLING_TIME_ZONE =
      key(
          "billingTimeZone",
          ValueType.zone(),
          ZoneId.of("UTC"),
          "Time zone billing periods and date queries are read in");
  static final BillingKey<Integer> SESSION_HEARTBEAT_TIMEOUT_MINUTES =
      key(
          "sessionHeartbeatTimeoutMinutes",
          whole(1, 1440),
          10,
          "Minutes (%s) without heartbeat after which a session is closed at its last "
              + "heartbeat; also how late events may arrive and still be billed");
  static final BillingKey<Integer> INVOICE_GRACE_MINUTES =
      key(
          "invoiceGraceMinutes",
          whole(0, 10080),
          60,
          "Minutes (%s) an invoice stays a draft after its period ends, so late usage "
              + "still lands on it, before it is finalized and numbered");
  static final BillingKey<Integer> PAYMENT_TERMS_DAYS =
      key(
          "paymentTermsDays",
          whole(0, 365),
          14,
          "Days (%s) from finalization to an invoice's due date");
  static final BillingKey<Integer> PAYMENT_GRACE_DAYS =
      key(
          "paymentGraceDays",
          whole(0, 365),
          3,
          "Days (%s) an invoice may stay overdue before its account is locked read-only");
  static final BillingKey<List<Integer>> PAYMENT_RETRY_DAYS =
      key(
          "paymentRetryDays",
          ValueType.increasingDays(1, 365, 10),
          List.of(1, 3, 5),
          "Days after finalization, the first attempt (%s), on which an invoice Stripe declined is"
              + " charged again; after the last, no more attempts");
  static final BillingKey<StripeCollection> STRIPE_COLLECTION =
      key(
          "stripeCollection",
          ValueType.oneOf(List.of(StripeCollection.values()), StripeCollection::configName),
          StripeCollection.PAYMENT_INTENTS,
          "How finalized invoices are collected while stripeEnabled, %s: payment_intents, the"
              + " plugin charges each with PaymentIntents on paymentRetryDays; stripe_invoices,"
              + " each is mirrored as a Stripe Invoice that Stripe collects, retries and emails."
              + " Invoices queued or mirrored before a change finish the way they started");
  static final BillingKey<Map<Currency, TopUpLimits.Limit>> TOP_UP_LIMITS =
      key(
          "topUpLimits",
          TopUpLimits.TYPE,
          Map.of(
              Currency.getInstance("USD"),
              new TopUpLimits.Limit(new BigDecimal("5"), new BigDecimal("10000")),
              VND,
              new TopUpLimits.Limit(new BigDecimal("100000"), new BigDecimal("250000000"))),
          "The least and the most one top-up of a prepaid balance may be (a Checkout top-up, a"
              + " charge of an auto top-up rule) by ISO 4217 code: {\"USD\": {min, max}}, above 0,"
              + " no finer than the currency. Keep min above Stripe's minimum charge (0.50 USD or"
              + " its equivalent); max is never above Stripe's eight digits of minor units. A"
              + " currency left out keeps its default (USD 5 to 10,000; VND 100,000 to"
              + " 250,000,000); one without a default takes any amount Stripe does");
  static final BillingKey<Map<Currency, BigDecimal>> ADVICE_MIN_SAVING =
      key(
          "adviceMinSaving",
          AdviceMinSaving.TYPE,
          Map.of(Currency.getInstance("USD"), new BigDecimal("5"), VND, new BigDecimal("125000")),
          "The least saving on a closed billing period for which the advisor publishes"
              + " billing.advice.available (once per organization and period), by ISO 4217 code:"
              + " {\"USD\": 5}, 0 or more, no finer than the currency. A currency left out"
              + " keeps its default (USD 5.00, VND 125,000); one without a default is never"
              + " announced");
  static final BillingKey<Integer> PACK_EXPIRY_NOTICE_DAYS =
      key(
          "packExpiryNoticeDays",
          whole(0, 365),
          3,
          "Days (%s) before a one-time pack's validity ends that billing.pack.expiring is sent;"
              + " 0 sends none");
  static final BillingKey<Integer> SPENDING_BLOCK_NOTICE_MINUTES =
      key(
          "spendingBlockNoticeMinutes",
          whole(0, 10080),
          15,
          "Minutes (%s) from a blocking spending limit being reached to its account's "
              + "sessions being suspended");
  static final BillingKey<Integer> HOLD_MINUTES =
      key(
          "holdMinutes",
          whole(1, 1440),
          15,
          "Minutes (%s) of a session's cost that admission reserves from the prepaid balance as"
              + " it starts a session of an organization on a prepaid plan (and against a block"
              + " spending limit): its cores, memory and held meters at their unit prices for"
              + " these minutes, rounded up to the currency's minor unit; check-quotas extends a"
              + " running session's reservation to its cost not rated yet plus these minutes;"
              + " given back when the session ends, or by check-quotas when no event of the"
              + " session arrived within these minutes");
  static final BillingKey<Integer> WARN_MINUTES =
      key(
          "warnMinutes",
          whole(1, 1440),
          10,
          "Minutes (%s) of runway left on the prepaid balance of an organization running"
              + " sessions under which billing.balance.low is sent (check-balances), once until"
              + " the runway is back above them");
  static final BillingKey<String> BALANCE_CHECK_INTERVAL =
      key(
          "balanceCheckInterval",
          ValueType.cron(),
          "* * * * *",
          "When check-balances runs (5-field Unix cron): it warns of a prepaid balance's runway"
              + " under warnMinutes, suspends the sessions of a spent one and resumes them when"
              + " money arrives");
  static final BillingKey<List<String>> FAULT_CREDIT_REASONS =
      key(
          "faultCreditReasons",
          ValueType.names(50),
          List.of("platform_fault", "node_lost"),
          "The reasons of session.terminated (session.reason, %s) for which the organization is"
              + " credited automatically, once per session: the platform's faults. Empty: no"
              + " fault credits");
  static final BillingKey<FaultCreditTerms.Policy> FAULT_CREDIT_POLICY =
      key(
          "faultCreditPolicy",
          FaultCreditTerms.POLICY,
          new FaultCreditTerms.Policy(15),
          "What a fault credit gives back (%s): the cost of the session's last minutes before"
              + " its end, or of the whole session; its cores, memory and held meters at its"
              + " organization's unit prices, rounded once half up to the minor unit (nothing in"
              + " subscription mode, where sessions cost nothing)");
  static final BillingKey<Map<Currency, BigDecimal>> FAULT_CREDIT_CAP =
      key(
          "faultCreditCap",
          FaultCreditTerms.CAP,
          Map.of(Currency.getInstance("USD"), new BigDecimal("50"), VND, new BigDecimal("1250000")),
          "The most fault credits give one organization in a billing period (the period of the"
              + " session's end), by ISO 4217 code: {\"USD\": 50}, no finer than the currency;"
              + " past it a credit is cut to what is left and says it was capped, none once"
              + " nothing is. A currency left out keeps its default (USD 50, VND 1,250,000); one"
              + " without a default is not capped");
  static final BillingKey<Map<Currency, ShareTerms>> STORE_REVENUE_SHARE =
      key(
          "storeRevenueShare",
          StoreRevenueShare.TYPE,
          Map.of(
              Currency.getInstance("USD"),
              new ShareTerms(ShareTable.shopifyLike(), new BigDecimal("50")),
              VND,
              new ShareTerms(ShareTable.vndMonthly(), new BigDecimal("1000000"))),
          "The add-on store's revenue share by ISO 4217 code: {\"USD\": {tiers: [{from (the "
              + "creator's gross so far in the period), platform_rate (0 to 1)}, ...] (the first "
              + "from 0, ascending), reset ("
              + StoreRevenueShare.RESET.allowed()
              + ", in billingTimeZone), cap (the platform's most per creator per period, or "
              + "null), minimum_payout (the least balance a monthly statement pays out)}}; "
              + "amounts no finer than the currency. A currency left out keeps its default: "
              + "USD 0 %% of a creator's first 1,000,000 in a calendar year and 15 %% above, no "
              + "cap, payout from 50; VND 30 %% to 50,000,000, 20 %% to 500,000,000, 10 %% above, "
              + "monthly, cap 100,000,000, payout from 1,000,000");
  static final BillingKey<List<String>> LEAD_PLANS =
      key(
          "leadPlans",
          ValueType.names(50),
          List.of("pro"),
          "The ids of the plans (%s) whose organizations may be sales leads (GET /admin/leads, "
              + "billing.lead.detected); by default the default plans' paid one below the most "
              + "expensive. An id no plan has matches no organization");
  static final BillingKey<Integer> LEAD_LIMIT_PERCENT =
      key(
          "leadLimitPercent",
          whole(1, 100),
          80,
          "Percent of a limit (%s) at or above which check-quotas counts a day as near the "
              + "limit for sales leads");
  static final BillingKey<Integer> LEAD_DAYS =
      key(
          "leadDays",
          whole(1, 30),
          5,
          "Days of the last 30 (%s) an organization must have been near a limit of one meter "
              + "to be a sales lead (near_limits)");
  static final BillingKey<Integer> LEAD_MEMBER_GROWTH =
      key(
          "leadMemberGrowth",
          whole(1, 100000),
          5,
          "Members (%s) an organization must have gained in the last 30 days to be a sales "
              + "lead (members_grew), whatever its size");
  static final BillingKey<Integer> LEAD_MEMBER_GROWTH_PERCENT =
      key(
          "leadMemberGrowthPercent",
          whole(1, 10000),
          50,
          "Percent (%s) of its members 30 days ago an organization that had some must have "
              + "gained since to be a sales lead (members_grew)");
  static final BillingKey<Integer> AUDIT_CHECKPOINT_MINUTES =
      key(
          "auditCheckpointMinutes",
          whole(1, 1440),
          60,
          "Minutes (%s) between the signed audit checkpoints (billing.audit.checkpoint) the "
              + "audit-checkpoint job publishes while auditCheckpointKey is set");
  static final BillingKey<List<String>> EMBED_ORIGINS =
      key(
          "embedOrigins",
          EmbedOrigins.TYPE,
          List.of(),
          "The origins of the platform pages allowed to frame the billing widget "
              + "(/api/plugins/billing/ui/widget) beside this host's own: %s, https (http only to "
              + "localhost or 127.0.0.1), no wildcard, path, query or fragment. Empty: no other "
              + "site may frame it. No other billing page may be framed, whatever this lists");
  static final BillingKey<String> STRIPE_SECRET_KEY =
      secret("stripeSecretKey", "STRIPE_SECRET_KEY", "Stripe API secret key", STRIPE);
  static final BillingKey<String> STRIPE_WEBHOOK_SECRET =
      secret(
          "stripeWebhookSecret", "STRIPE_WEBHOOK_SECRET", "Stripe webhook signing secret", STRIPE);
  static final BillingKey<String> AUDIT_CHECKPOINT_KEY =
      secret(
          "auditCheckpointKey",
          "BILLING_AUDIT_KEY",
          "The HMAC-SHA256 key audit checkpoints are signed and checked with, kept out of the "
              + "database",
          "Without it no checkpoint is made and verify says anchoring is off");

  private BillingKeys() {}

  /**
   * A key of the saved config. {@code %s} in the description stands where what the type allows
   * is named: {@code Day of month (%s)} reads {@code Day of month (1-28)}.
   */
  private static <T> BillingKey<T> key(
      String name, ValueType<T> type, T defaultValue, String description) {
    return declared(
        new BillingKey<>(name, type, defaultValue, description.formatted(type.allowed()), null));
  }

  /**
   * A secret: set through the config (the host stores it apart, encrypted, and shows it masked)
   * or in its environment variable, which wins.
   */
  private static BillingKey<String> secret(
      String name, String environmentVariable, String what, String needed) {
    String description =
        what
            + "; write-only: stored encrypted by the host, shown masked. The environment variable "
            + environmentVariable
            + " wins over it. "
            + needed;
    return declared(
        new BillingKey<>(
            name, ValueType.secretIn(environmentVariable), null, description, environmentVariable));
  }

  private static <T> BillingKey<T> declared(BillingKey<T> key) {
    declared.add(key);
    return key;
  }

  /** The key of that name, if the table has one. */
  static Optional<BillingKey<?>> named(String name) {
    return ALL.stream().filter(key -> key.name().equals(name)).findFirst();
  }
}
