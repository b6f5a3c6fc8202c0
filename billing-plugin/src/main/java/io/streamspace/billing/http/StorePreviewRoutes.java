package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.string;

import io.streamspace.billing.store.StorePreviews;
import io.streamspace.billing.store.bundle.PreviewImage;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.PathId;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
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

  public void register(DescribedRoutes routes) {
    routes.add(PREVIEW, JsonRoute.of(this::preview));
    routes.add(PENDING_PREVIEW, JsonRoute.of(this::pendingPreview));
  }

  static final Operation PREVIEW =
      Operation.get("/store/items/{id}/preview")
          .authenticated()
          .summary("A listed item's preview image")
          .description(
              """
              Who: any signed-in caller.

              The preview image the manifest of the item's catalog version names (its latest \
              approved version), read from the stored bundle: `image/png`, `image/jpeg`, \
              `image/webp` or `image/svg+xml` by the image's checked type, with \
              `X-Content-Type-Options: nosniff` and a sandboxing `Content-Security-Policy`. 404 \
              for no such item, an item with no approved version, a delisted one, or one whose \
              bundle has no preview.""")
          .params(Param.ID)
          .answers(
              200,
              Response.of("the image")
                  .content("image/png", string().contentMediaType("image/png"))
                  .content("image/jpeg", string().contentMediaType("image/jpeg"))
                  .content("image/webp", string().contentMediaType("image/webp"))
                  .content("image/svg+xml", string().contentMediaType("image/svg+xml")))
          .errors(404);

  /** 200 with the image; 404 for an item not listed, not approved, or without a preview. */
  HttpResponse preview(HttpRequest request) throws Exception {
    Access.authenticated(request);
    long id = PathId.of(request, "id", "store item");
    return served(
        previews
            .listed(id)
            .orElseThrow(() -> ApiException.notFound("no preview of a listed store item " + id)));
  }

  static final Operation PENDING_PREVIEW =
      Operation.get("/admin/store/items/{id}/preview")
          .admin()
          .summary("The preview image of a version waiting for review")
          .description(
              """
              Who: admin.

              The preview image the manifest of the item's version waiting for review names, read \
              from its stored bundle, for the moderation queue: typed and sandboxed as `GET \
              /store/items/{id}/preview`. 404 for no such item, no version waiting for review, or \
              one whose bundle has no preview.""")
          .params(Param.ID)
          .answers(
              200,
              Response.of("the image")
                  .content("image/png", string().contentMediaType("image/png"))
                  .content("image/jpeg", string().contentMediaType("image/jpeg"))
                  .content("image/webp", string().contentMediaType("image/webp"))
                  .content("image/svg+xml", string().contentMediaType("image/svg+xml")))
          .errors(404);

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
