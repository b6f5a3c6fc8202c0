package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

/** The bodies and answers of {@link StripeCatalogRoutes}'s routes, declared for its operations. */
final class StripeCatalogRoutesSchemas {

  private StripeCatalogRoutesSchemas() {}

  static final Schema STRIPE_CATALOG_SYNC =
      Schema.component(
          "StripeCatalogSync",
          object()
              .req("products_created", array(string()))
              .req("products_renamed", array(string()))
              .req("created", array(string()))
              .req("kept", array(string()))
              .req("replaced", array(string())));
}
