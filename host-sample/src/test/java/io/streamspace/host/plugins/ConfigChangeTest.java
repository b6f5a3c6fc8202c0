package io.streamspace.host.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.common.http.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The line a config change is logged with: every key changed, by dotted name, with its old and
 * new value, and each secret key named only.
 */
class ConfigChangeTest {

  private static final ObjectMapper MAPPER = Json.newMapper();

  private static ConfigChange change(String before, String after) throws Exception {
    return ConfigChange.between(
        "billing", "root", MAPPER.readTree(before), MAPPER.readTree(after), List.of());
  }

  @Test
  void namesEveryKeyAddedRemovedOrChangedInsideObjectsByItsDottedName() throws Exception {
    ConfigChange change =
        change(
            "{\"invoiceDay\": 2, \"computeRates\": {\"cpu\": 0.05, \"mem\": 0.01}, \"plans\": [1, 2]}",
            "{\"computeRates\": {\"cpu\": 0.06, \"mem\": 0.01}, \"plans\": [1, 3], \"currency\": \"VND\"}");

    assertEquals(
        List.of("computeRates.cpu", "currency", "invoiceDay", "plans"), change.changedKeys());
  }

  @Test
  void numbersAreComparedByValue() throws Exception {
    assertEquals(
        List.of(),
        change("{\"rate\": 0.10, \"r\": {\"a\": [1.0]}}", "{\"rate\": 0.1, \"r\": {\"a\": [1]}}")
            .changedKeys());
  }

  @Test
  void theLogLineNamesThePluginTheCallerEachKeysOldAndNewValueAndASecretKeyWithoutValue()
      throws Exception {
    ConfigChange change =
        ConfigChange.between(
            "billing",
            "root",
            MAPPER.readTree("{\"invoiceDay\": 1, \"rates\": {\"cpu\": 0.05}}"),
            MAPPER.readTree(
                "{\"invoiceDay\": 5, \"rates\": {\"cpu\": 0.06}, \"currency\": \"VND\"}"),
            List.of("stripeSecretKey"));

    assertEquals(
        "Configuration of plugin billing changed by root: currency unset -> \"VND\","
            + " invoiceDay 1 -> 5, rates.cpu 0.05 -> 0.06, stripeSecretKey changed (secret)",
        change.describe());
    assertEquals(
        "Configuration of plugin billing changed by root: no key changed",
        change("{}", "{}").describe());
  }
}
