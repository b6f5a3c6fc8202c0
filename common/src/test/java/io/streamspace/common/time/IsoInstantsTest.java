package io.streamspace.common.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fast reading of {@code occurred_at} accepts, refuses and reads exactly what {@link
 * OffsetDateTime#parse} does.
 */
class IsoInstantsTest {

  @Test
  void readsTheCommonFormsAsTheGeneralParserDoes() {
    for (String text :
        List.of(
            "2025-01-31T12:00:00Z",
            "2025-01-31T12:00:00.5Z",
            "2025-01-31T12:00:00.123456Z",
            "2025-01-31T12:00:00.123456789Z",
            "2024-02-29T23:59:59.999999+05:30",
            "0001-01-01T00:00:00-18:00",
            "9999-12-31T23:59:59+18:00",
            "2025-06-01T00:00:00-00:00",
            "2025-06-01T00:00:00+00:00")) {
      assertEquals(OffsetDateTime.parse(text).toInstant(), IsoInstants.parse(text), text);
    }
  }

  @Test
  void refusesWhatTheGeneralParserRefuses() {
    for (String text :
        List.of(
            "2025-02-29T12:00:00Z",
            "2025-04-31T12:00:00Z",
            "2025-13-01T12:00:00Z",
            "2025-01-31T24:00:00Z",
            "2025-01-31T23:60:00Z",
            "2025-01-31T23:59:60Z",
            "2025-01-31T12:00:00",
            "2025-01-31T12:00:00.1234567890Z",
            "2025-01-31T12:00:00+18:30",
            "2025-01-31T12:00:00+05:60",
            "2025-01-31T12:00:00*05:00",
            "2025-01-31T12:00:00ZZ",
            "2025-01-31 12:00:00Z",
            "2025-1-31T12:00:00Z",
            "２０２５-01-31T12:00:00Z")) {
      assertThrows(DateTimeParseException.class, () -> IsoInstants.parse(text), text);
      assertThrows(DateTimeParseException.class, () -> OffsetDateTime.parse(text), text);
    }
  }

  @Test
  void agreesWithTheGeneralParserOnFormsOutsideTheCommonOne() {
    for (String text :
        List.of(
            "2025-01-31T12:00Z",
            "2025-01-31T12:00:00.Z",
            "2025-01-31t12:00:00z",
            "+12025-01-31T12:00:00Z",
            "2025-01-31T12:00:00+05:30:15",
            "2025-01-31T12:00:00+0530")) {
      assertEquals(outcome(text, false), outcome(text, true), text);
    }
  }

  @Test
  void agreesWithTheGeneralParserOnRandomTexts() {
    Random random = new Random(27);
    String alphabet = "0123456789-:T.Z+ ";
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      StringBuilder text = new StringBuilder(randomInstantText(random));
      // a few characters replaced by others of the form's alphabet
      for (int edits = random.nextInt(3); edits > 0; edits--) {
        int at = random.nextInt(text.length());
        text.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
      }
      texts.add(text.toString());
    }
    for (String text : texts) {
      assertEquals(outcome(text, false), outcome(text, true), text);
    }
  }

  private static String randomInstantText(Random random) {
    String fraction =
        switch (random.nextInt(4)) {
          case 0 -> "";
          case 1 -> "." + random.nextInt(10);
          case 2 -> String.format(".%06d", random.nextInt(1_000_000));
          default -> String.format(".%09d", random.nextInt(1_000_000_000));
        };
    String offset =
        random.nextBoolean()
            ? "Z"
            : String.format(
                "%s%02d:%02d",
                random.nextBoolean() ? "+" : "-", random.nextInt(20), random.nextInt(61));
    return String.format(
        "%04d-%02d-%02dT%02d:%02d:%02d%s%s",
        random.nextInt(10_000),
        1 + random.nextInt(13),
        1 + random.nextInt(31),
        random.nextInt(25),
        random.nextInt(61),
        random.nextInt(61),
        fraction,
        offset);
  }

  /** The instant read, or "refused". */
  private static String outcome(String text, boolean fast) {
    try {
      Instant instant = fast ? IsoInstants.parse(text) : OffsetDateTime.parse(text).toInstant();
      return instant.toString();
    } catch (DateTimeParseException e) {
      return "refused";
    }
  }
}
