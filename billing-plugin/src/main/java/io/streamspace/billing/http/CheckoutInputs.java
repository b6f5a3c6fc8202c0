package io.streamspace.billing.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.stripe.StripeAmounts;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Currency;
import java.util.Map;
import java.util.Set;

/**
 * What a route that opens one of Stripe's pages checks in its request before Stripe is asked:
 * the URLs Stripe sends the customer back to, and that an amount is one Stripe can charge.
 */
final class CheckoutInputs {

  /** Hosts a return URL may name over plain http: a developer's own machine. */
  private static final Set<String> LOCAL_HOSTS = Set.of("localhost", "127.0.0.1");

  private CheckoutInputs() {}

  /** 409 {@code amount_not_chargeable} for a price Stripe cannot take (1.005 BHD), naming it. */
  static void chargeable(BigDecimal price, Currency currency) throws ApiException {
    try {
      StripeAmounts.toMinorUnits(price, currency);
    } catch (ArithmeticException e) {
      throw ApiException.conflict("amount_not_chargeable", e.getMessage(), Map.of());
    }
  }

  /** A return URL: https, or http to this machine (for a developer), else 400 naming it. */
  static String url(JsonNode body, String member) throws ApiException {
    String text = Json.requiredText(body, member);
    try {
      URI uri = new URI(text);
      boolean secure = "https".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null;
      boolean local =
          "http".equalsIgnoreCase(uri.getScheme()) && LOCAL_HOSTS.contains(uri.getHost());
      if (secure || local) {
        return text;
      }
    } catch (URISyntaxException e) {
      // answered below
    }
    throw ApiException.badParameter(member, member + " must be an https URL");
  }
}
