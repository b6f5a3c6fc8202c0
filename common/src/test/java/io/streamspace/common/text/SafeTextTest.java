package io.streamspace.common.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SafeTextTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "a\u0000b",
        "a\nb",
        "a\rb",
        "a\tb",
        "a\u007Fb",
        "a\u0085b",
        "a\u202Ab",
        "a\u202Eb",
        "a\u2066b",
        "a\u2069b",
        "a\u2028b",
        "a\u2029b"
      })
  void controlBidiAndSeparatorCharactersAreUnsafe(String text) {
    assertTrue(SafeText.hasUnsafeCharacter(text), () -> "unsafe: " + SafeText.forLog(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"user-42", "séance_é", "ユーザー", "a b", "\u200Eltr-mark", "a\u2065b"})
  void ordinaryTextAndTheNeighboursOfTheRangesAreSafe(String text) {
    assertFalse(SafeText.hasUnsafeCharacter(text));
  }

  @Test
  void aLogLineShowsUnsafeCharactersAsEscapesAndStaysOneLine() {
    String logged = SafeText.forLog("evt_1\nINFO forged\u202Etxt.exe");

    assertEquals("evt_1\\u000aINFO forged\\u202etxt.exe", logged);
    assertFalse(SafeText.hasUnsafeCharacter(logged));
  }

  @Test
  void aBackslashIsDoubledSoThatAnEscapeCannotBeForged() {
    assertEquals("a\\\\u000ab", SafeText.forLog("a\\u000ab"));
  }

  @Test
  void plainTextAndNullAreLoggedAsTheyAre() {
    assertEquals("cus_123", SafeText.forLog("cus_123"));
    assertEquals("null", SafeText.forLog(null));
  }
}
