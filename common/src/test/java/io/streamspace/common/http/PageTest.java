package io.streamspace.common.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PageTest {

  @Test
  void withoutParametersTheFirstTwentyRows() {
    assertEquals(new Page(20, 0), Page.of(name -> null));
    assertEquals(new Page(20, 0), Page.of(request(Map.of())));
  }

  @Test
  void aPluginRequestAndAHostsQueryParametersGiveTheSamePage() {
    Map<String, String> query = Map.of("limit", "100", "offset", "40");

    assertEquals(new Page(100, 40), Page.of(query::get));
    assertEquals(new Page(100, 40), Page.of(request(query)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "101", "-1", "1.5", "１０", "99999999999"})
  void aLimitOutsideOneToAHundredIsRefusedNamingIt(String limit) {
    ApiException refused =
        assertThrows(ApiException.class, () -> Page.of(Map.of("limit", limit)::get));

    assertEquals(400, refused.error().status());
    assertEquals("invalid_parameter", refused.error().code());
    assertEquals("limit", refused.error().field());
  }

  @Test
  void theRowsFetchedPastThePageSayThatAnotherFollows() {
    Page page = new Page(2, 4);
    List<String> fetched = List.of("a", "b", "c");

    assertEquals(3, page.fetch());
    assertEquals(List.of("a", "b"), page.rows(fetched));
    assertEquals(6, page.nextOffset(fetched));
    assertNull(page.nextOffset(List.of("a", "b")), "the last page");
  }

  private static HttpRequest request(Map<String, String> query) {
    Map<String, List<String>> values = new HashMap<>();
    query.forEach((name, value) -> values.put(name, List.of(value)));
    return new HttpRequest(HttpMethod.GET, "/rows", null, values, null, null, null);
  }
}
