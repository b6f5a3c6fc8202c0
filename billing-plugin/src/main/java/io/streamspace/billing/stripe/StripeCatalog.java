package io.streamspace.billing.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.StripeException;
import com.stripe.model.Price;
import com.stripe.model.Product;
import com.stripe.net.RequestOptions;
import com.stripe.param.PriceCreateParams;
import com.stripe.param.PriceListParams;
import com.stripe.param.PriceUpdateParams;
import com.stripe.param.ProductCreateParams;
import com.stripe.param.ProductUpdateParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Our plans and packs as Stripe Products and Prices, kept in step with the config: a Product per
 * plan ({@code ss_plan_<id>}) and pack ({@code ss_pack_<id>}), and per currency it is sold in a
 * Price found by its lookup key ({@code ss_plan_<id>_<currency>}, recurring at the plan's
 * interval; {@code ss_pack_<id>_<currency>}, one-time). Idempotent: a price whose amount,
 * currency, recurrence and tax behaviour match is kept; Stripe's prices cannot change, so a
 * changed one is created anew taking over the lookup key ({@code transfer_lookup_key}) and the
 * old one deactivated. Every creation carries an idempotency key derived from what it creates.
 */
public final class StripeCatalog {

  /** What a sync did: lookup keys created, kept and replaced; product ids created or renamed. */
  public record Outcome(
      List<String> productsCreated,
      List<String> productsRenamed,
      List<String> created,
      List<String> kept,
      List<String> replaced) {

    static Outcome empty() {
      return new Outcome(
          new ArrayList<>(),
          new ArrayList<>(),
          new ArrayList<>(),
          new ArrayList<>(),
          new ArrayList<>());
    }
  }

  /**
   * A price as the config wants it at Stripe ({@code CatalogPrices} reads them from the config).
   *
   * @param interval {@code month} or {@code year} for a plan's recurring price; null for a
   *     one-time price
   * @param metadata {@code plan_id} or {@code pack_id}
   */
  public record CatalogPrice(
      String productId,
      String productName,
      String lookupKey,
      long unitAmount,
      String currency,
      String interval,
      String taxBehavior,
      Map<String, String> metadata) {}

  private static final long PAGE = 100;

  private StripeCatalog() {}

  /** Syncs these prices and their products. */
  public static Outcome sync(StripeApi stripe, List<CatalogPrice> wanted) throws StripeFailure {
    return StripeFailure.calling(() -> sync(stripe.client(), wanted));
  }

  private static Outcome sync(StripeClient stripe, List<CatalogPrice> wanted)
      throws StripeException {
    Outcome outcome = Outcome.empty();
    for (String product : wanted.stream().map(CatalogPrice::productId).distinct().toList()) {
      List<CatalogPrice> prices =
          wanted.stream().filter(w -> w.productId().equals(product)).toList();
      syncProduct(stripe, prices, outcome);
    }
    return outcome;
  }

  /**
   * The id of this price at Stripe, syncing it (and its product) first when it is missing or no
   * longer matches.
   */
  public static String priceId(StripeApi stripe, CatalogPrice wanted) throws StripeFailure {
    return StripeFailure.calling(() -> priceId(stripe.client(), wanted));
  }

  private static String priceId(StripeClient stripe, CatalogPrice wanted) throws StripeException {
    Optional<Price> found = activeWithKey(stripe, wanted.productId(), wanted.lookupKey());
    if (found.isPresent() && matches(found.get(), wanted)) {
      return found.get().getId();
    }
    syncProduct(stripe, List.of(wanted), Outcome.empty());
    return activeWithKey(stripe, wanted.productId(), wanted.lookupKey()).orElseThrow().getId();
  }

  /** The product of these prices made to exist with its name, then each price. */
  private static void syncProduct(StripeClient stripe, List<CatalogPrice> prices, Outcome outcome)
      throws StripeException {
    CatalogPrice first = prices.get(0);
    Optional<Product> product = product(stripe, first.productId());
    if (product.isEmpty()) {
      stripe
          .v1()
          .products()
          .create(
              ProductCreateParams.builder()
                  .setId(first.productId())
                  .setName(first.productName())
                  .putAllMetadata(first.metadata())
                  .build(),
              idempotent("ss-catalog-product-" + first.productId()));
      outcome.productsCreated().add(first.productId());
    } else if (!first.productName().equals(product.get().getName())) {
      stripe
          .v1()
          .products()
          .update(
              first.productId(),
              ProductUpdateParams.builder().setName(first.productName()).build());
      outcome.productsRenamed().add(first.productId());
    }
    List<Price> active = product.isEmpty() ? List.of() : activePrices(stripe, first.productId());
    for (CatalogPrice wanted : prices) {
      Optional<Price> current =
          active.stream().filter(p -> wanted.lookupKey().equals(p.getLookupKey())).findFirst();
      if (current.isPresent() && matches(current.get(), wanted)) {
        outcome.kept().add(wanted.lookupKey());
        continue;
      }
      create(stripe, wanted, current.map(Price::getId).orElse(null));
      if (current.isEmpty()) {
        outcome.created().add(wanted.lookupKey());
      } else {
        // the new price took the key over; the old one sells nothing new from now on
        stripe
            .v1()
            .prices()
            .update(current.get().getId(), PriceUpdateParams.builder().setActive(false).build());
        outcome.replaced().add(wanted.lookupKey());
      }
    }
  }

  private static boolean matches(Price price, CatalogPrice wanted) {
    String interval = price.getRecurring() == null ? null : price.getRecurring().getInterval();
    return Objects.equals(price.getUnitAmount(), wanted.unitAmount())
        && wanted.currency().equals(price.getCurrency())
        && Objects.equals(interval, wanted.interval())
        && wanted.taxBehavior().equals(price.getTaxBehavior());
  }

  private static void create(StripeClient stripe, CatalogPrice wanted, String replacing)
      throws StripeException {
    PriceCreateParams.Builder params =
        PriceCreateParams.builder()
            .setProduct(wanted.productId())
            .setCurrency(wanted.currency())
            .setUnitAmount(wanted.unitAmount())
            .setLookupKey(wanted.lookupKey())
            .setTaxBehavior(PriceCreateParams.TaxBehavior.valueOf(upper(wanted.taxBehavior())))
            .putAllMetadata(wanted.metadata());
    if (wanted.interval() != null) {
      params.setRecurring(
          PriceCreateParams.Recurring.builder()
              .setInterval(PriceCreateParams.Recurring.Interval.valueOf(upper(wanted.interval())))
              .build());
    }
    if (replacing != null) {
      params.setTransferLookupKey(true);
    }
    String key =
        "ss-catalog-%s-%d-%s-%s-after-%s"
            .formatted(
                wanted.lookupKey(),
                wanted.unitAmount(),
                wanted.interval() == null ? "once" : wanted.interval(),
                wanted.taxBehavior(),
                replacing == null ? "none" : replacing);
    stripe.v1().prices().create(params.build(), idempotent(key));
  }

  private static Optional<Product> product(StripeClient stripe, String id) throws StripeException {
    try {
      return Optional.of(stripe.v1().products().retrieve(id));
    } catch (InvalidRequestException e) {
      if (Integer.valueOf(404).equals(e.getStatusCode())) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private static List<Price> activePrices(StripeClient stripe, String productId)
      throws StripeException {
    return stripe
        .v1()
        .prices()
        .list(
            PriceListParams.builder().setProduct(productId).setActive(true).setLimit(PAGE).build())
        .getData();
  }

  private static Optional<Price> activeWithKey(StripeClient stripe, String productId, String key)
      throws StripeException {
    return stripe
        .v1()
        .prices()
        .list(PriceListParams.builder().addLookupKey(key).setActive(true).build())
        .getData()
        .stream()
        .filter(p -> productId.equals(p.getProduct()))
        .findFirst();
  }

  private static RequestOptions idempotent(String key) {
    return RequestOptions.builder().setIdempotencyKey(key).build();
  }

  private static String upper(String text) {
    return text.toUpperCase(java.util.Locale.ROOT);
  }
}
