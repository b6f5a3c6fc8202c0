package io.streamspace.billing.store.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/**
 * Figures worked by hand with the WCAG formula: a grey {@code #vvvvvv} has R = G = B, so its
 * relative luminance is the linearized channel {@code ((v/255 + 0.055) / 1.055)^2.4}; white is 1,
 * black 0; the ratio is {@code (1 + 0.05) / (L + 0.05)} against white.
 */
class ContrastTest {

  @Test
  void blackOnWhiteIsTwentyOneToOneTheMaximum() {
    // (1 + 0.05) / (0 + 0.05) = 21 exactly, though the doubles give 20.999...: not cut to 20.99
    assertEquals(new BigDecimal("21.00"), Contrast.ratio("#000000", "#ffffff"));
    assertEquals(new BigDecimal("1.00"), Contrast.ratio("#1a1a2e", "#1a1a2e"));
  }

  @Test
  void greySevenSevenOnWhiteIsFourPointFortySevenAndFailsNormalText() {
    // 0x77 = 119: 119/255 = 0.466667; (0.521667 / 1.055)^2.4 = 0.494471^2.4 = 0.184475;
    // 1.05 / 0.234475 = 4.4781, shown 4.47 (rounded down; tools rounding half up show 4.48)
    assertEquals(new BigDecimal("4.47"), Contrast.ratio("#777777", "#ffffff"));
    assertFalse(Contrast.passes(new ColorPair("#777777", "#ffffff", false)));
  }

  @Test
  void greySevenSixOnWhiteIsFourPointFiftyFourAndPassesNormalText() {
    // 0x76 = 118: 118/255 = 0.462745; (0.517745 / 1.055)^2.4 = 0.490754^2.4 = 0.181164;
    // 1.05 / 0.231164 = 4.5422
    assertEquals(new BigDecimal("4.54"), Contrast.ratio("#767676", "#ffffff"));
    assertTrue(Contrast.passes(new ColorPair("#767676", "#ffffff", false)));
  }

  @Test
  void aPairAtThreePointTwoPassesOnlyAsLargeText() {
    // 0x8f = 143: 143/255 = 0.560784; (0.615784 / 1.055)^2.4 = 0.583682^2.4 = 0.274677;
    // 1.05 / 0.324677 = 3.2340
    assertEquals(new BigDecimal("3.23"), Contrast.ratio("#8f8f8f", "#ffffff"));
    assertTrue(Contrast.passes(new ColorPair("#8f8f8f", "#ffffff", true)));
    assertFalse(Contrast.passes(new ColorPair("#8f8f8f", "#ffffff", false)));
  }

  @Test
  void aPairJustBelowThreeFailsEvenAsLargeText() {
    // 0x95 = 149: L = 0.300544; 1.05 / 0.350544 = 2.9953
    assertEquals(new BigDecimal("2.99"), Contrast.ratio("#959595", "#ffffff"));
    assertFalse(Contrast.passes(new ColorPair("#959595", "#ffffff", true)));
  }

  @Test
  void theOrderOfTheTwoColoursAndTheShortFormDoNotMatter() {
    assertEquals(Contrast.ratio("#767676", "#ffffff"), Contrast.ratio("#FFF", "#767676"));
  }

  @Test
  void theIssuesExamplePairOfLightTextOnMidnightPasses() {
    assertTrue(Contrast.ratio("#f5f5f5", "#1a1a2e").compareTo(new BigDecimal("15")) > 0);
  }

  @Test
  void aColourThatIsNotHexIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> Contrast.ratio("red", "#ffffff"));
    assertThrows(IllegalArgumentException.class, () -> Contrast.ratio("#ffffff80", "#000"));
  }
}
