package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.support.HostTestBase;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * The API viewer, {@code /api/docs}, in a real headless Chromium: Swagger UI from the host's
 * WebJar draws every operation of {@code /api/openapi.json}, under the page's
 * Content-Security-Policy, with no console error or warning (a CSP violation is one) and no
 * request leaving the host.
 */
class ApiViewerBrowserTest extends HostTestBase {

  private HeadlessChromium browser;

  @BeforeAll
  void startTheBrowser() {
    browser = HeadlessChromium.startOrSkip();
  }

  @AfterAll
  void closeTheBrowser() {
    if (browser != null) {
      browser.close();
    }
  }

  @Test
  void theViewerDrawsEveryHostOperationWithoutConsoleProblems() throws Exception {
    int operations =
        http.get("/api/openapi.json", null).expect(200).get("paths").properties().stream()
            .mapToInt(path -> path.getValue().size())
            .sum();

    browser.driver.get("http://localhost:" + host.port() + "/api/docs");
    browser.await(driver -> driver.findElements(By.cssSelector(".opblock")).size() >= operations);

    List<String> paths =
        browser.driver.findElements(By.cssSelector(".opblock-summary-path")).stream()
            .map(element -> element.getAttribute("data-path"))
            .toList();
    assertTrue(paths.contains("/api/admin/tokens/{id}"), paths.toString());
    List<String> external =
        ((List<?>)
                browser.script("return performance.getEntriesByType('resource').map(e => e.name)"))
            .stream()
                .map(String::valueOf)
                .filter(url -> !url.startsWith("http://localhost:" + host.port() + "/"))
                .toList();
    assertEquals(List.of(), external);
    browser.screenshot("api-docs");
    assertEquals(List.of(), browser.consoleProblems());
  }
}
