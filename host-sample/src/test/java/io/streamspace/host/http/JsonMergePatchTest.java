package io.streamspace.host.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.common.http.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The examples of RFC 7396, appendix A, whose target and patch are objects. */
class JsonMergePatchTest {

  private static final ObjectMapper MAPPER = Json.newMapper();

  @ParameterizedTest(name = "{0} patched with {1} is {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"a\":\"b\"}                 | {\"a\":\"c\"}                   | {\"a\":\"c\"}",
        "{\"a\":\"b\"}                 | {\"b\":\"c\"}                   | {\"a\":\"b\",\"b\":\"c\"}",
        "{\"a\":\"b\"}                 | {\"a\":null}                    | {}",
        "{\"a\":\"b\",\"b\":\"c\"}     | {\"a\":null}                    | {\"b\":\"c\"}",
        "{\"a\":[\"b\"]}               | {\"a\":\"c\"}                   | {\"a\":\"c\"}",
        "{\"a\":\"c\"}                 | {\"a\":[\"b\"]}                 | {\"a\":[\"b\"]}",
        "{\"a\":{\"b\":\"c\"}}         | {\"a\":{\"b\":\"d\",\"c\":null}} | {\"a\":{\"b\":\"d\"}}",
        "{\"a\":[{\"b\":\"c\"}]}       | {\"a\":[1]}                     | {\"a\":[1]}",
        "{\"e\":null}                  | {\"a\":1}                       | {\"e\":null,\"a\":1}",
        "{}                            | {\"a\":{\"bb\":{\"ccc\":null}}} | {\"a\":{\"bb\":{}}}",
      })
  void patchesAsTheRfcSays(String target, String patch, String result) throws Exception {
    ObjectNode patched =
        JsonMergePatch.apply(
            (ObjectNode) MAPPER.readTree(target), (ObjectNode) MAPPER.readTree(patch));

    assertEquals(MAPPER.readTree(result), patched);
  }
}
