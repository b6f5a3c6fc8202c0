package io.streamspace.billing.http;

import io.streamspace.billing.store.StorePreviews;
import io.streamspace.billing.store.bundle.PreviewImage;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.PathId;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpRoutes;
import io.streamspace.plugin.api.http.HttpStatus;
import java.util.Map;

/**
 * {@code GET /store/items/{id}/preview}: the preview image of a listed item's approved version,
 * for any signed-in caller, so the store page can show each item as its bundle shows it; {@code
 * GET /admin/store/items/{id}/preview}: that of the version waiting for review, for the platform
 * admin's queue. The
 * bytes are a creator's: served with the content type of their checked image type, never
 * sniffed, and sandboxed, so an SVG opened on its own runs nothing and loads nothing.
 */
public final class StorePreviewRoutes {

  private static final Map<String, String> HEADERS =
      Map.of(
          "X-Content-Type-Options", "nosniff",
          "Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox",
          "Cache-Control", "private, no-cache");

  private final StorePreviews previews;

  public StorePreviewRoutes(StorePreviews previews) {
    this.previews = previews;
  }

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.GET, "/store/items/{id}/preview", JsonRoute.of(this::preview));
    routes.add(
        HttpMethod.GET, "/admin/store/items/{id}/preview", JsonRoute.of(this::pendingPreview));
  }

  /** 200 with the image; 404 for an item not listed, not approved, or without a preview. */
  HttpResponse preview(HttpRequest request) throws Exception {
    Access.authenticated(request);
    long id = PathId.of(request, "id", "store item");
    return served(
        previews
            .listed(id)
            .orElseThrow(() -> ApiException.notFound("no preview of a listed store item " + id)));
  }

  /** 200 with the image of the version waiting for review; 404 when none or no preview. */
  HttpResponse pendingPreview(HttpRequest request) throws Exception {
    Access.admin(request);
    long id = PathId.of(request, "id", "store item");
    return served(
        previews
            .pending(id)
            .orElseThrow(
                () -> ApiException.notFound("no preview of a version of " + id + " to review")));
  }

  private static HttpResponse served(PreviewImage image) {
    return HttpResponse.of(HttpStatus.OK, image.contentType(), image.bytes(), HEADERS);
  }
}
