package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.http.ApiRoute;
import io.streamspace.host.openapi.ApiReferenceMarkdown;
import io.streamspace.host.openapi.RouteCoverage;
import io.streamspace.testing.GeneratedBlock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/reference/api.md}: its body is the OpenAPI document this host serves with the
 * packaged billing plugin ({@code GET /api/openapi.json}), rendered by {@link
 * ApiReferenceMarkdown}; the build rewrites a stale page and fails once. Read back, the page
 * holds a section for every operation of the document, so no endpoint goes undocumented even if
 * the page is edited by hand.
 */
class ApiReferenceTest extends BillingHostTestBase {

  static final Path PAGE = Path.of("../docs/reference/api.md");
  static final String BEGIN =
      "<!-- generated from the OpenAPI document (GET /api/openapi.json): do not edit by hand -->";

  @Test
  void thePageIsTheServedDocumentAsRenderedNow() {
    JsonNode document = api.http.get("/api/openapi.json", null).expect(200);

    new GeneratedBlock(PAGE, BEGIN).assertCurrent(ApiReferenceMarkdown.render(document));
  }

  @Test
  void everyOperationOfTheServedDocumentHasItsSectionInThePage() throws IOException {
    JsonNode document = api.http.get("/api/openapi.json", null).expect(200);
    List<String> page = Files.readAllLines(PAGE);

    List<ApiRoute> missing =
        RouteCoverage.operations(document).stream()
            .filter(
                route -> !page.contains(ApiReferenceMarkdown.heading(route.method(), route.path())))
            .toList();

    assertEquals(List.of(), missing, "operations docs/reference/api.md does not document");
  }
}
