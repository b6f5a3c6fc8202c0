package io.streamspace.billing.store.bundle;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.regex.Pattern;

/**
 * WCAG 2.x contrast between two sRGB colours: {@code (L1 + 0.05) / (L2 + 0.05)}, L1 the lighter
 * relative luminance, {@code L = 0.2126 R + 0.7152 G + 0.0722 B} of the linearized channels ({@code
 * c / 12.92} up to 0.04045, else {@code ((c + 0.055) / 1.055)^2.4}; WCAG 2.0 printed 0.03928,
 * which gives the same result for every 8-bit channel value).
 *
 * <p>The ratio is cut to 2 decimals, rounded <b>down</b>, so a pair at 4.4999:1 shows as 4.49 and
 * never passes as 4.50: a pass is never a rounding's gift.
 */
public final class Contrast {

  /** Normal text (WCAG 2.2 AA, 1.4.3). */
  public static final BigDecimal NORMAL_TEXT_MINIMUM = new BigDecimal("4.50");

  /** Large text: at least 18pt, or 14pt bold (WCAG 2.2 AA, 1.4.3). */
  public static final BigDecimal LARGE_TEXT_MINIMUM = new BigDecimal("3.00");

  private static final double FLOAT_NOISE = 1e-9;

  private static final Pattern HEX = Pattern.compile("#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})");

  private Contrast() {}

  /**
   * The contrast ratio of two colours written {@code #rgb} or {@code #rrggbb}, from 1.00 to 21.00,
   * rounded down to 2 decimals; the order of the two does not matter.
   *
   * @throws IllegalArgumentException if either is not such a colour
   */
  public static BigDecimal ratio(String hexA, String hexB) {
    double a = relativeLuminance(hexA);
    double b = relativeLuminance(hexB);
    double ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    // 1e-9 absorbs the float noise of an exact ratio (black on white computes to 20.999...96),
    // far below the step between two 8-bit colours, so it never lifts a real 4.4999 to 4.50
    return new BigDecimal(ratio + FLOAT_NOISE).setScale(2, RoundingMode.DOWN);
  }

  /** The minimum ratio for text of that size: 3:1 large, 4.5:1 otherwise. */
  public static BigDecimal minimum(boolean large) {
    return large ? LARGE_TEXT_MINIMUM : NORMAL_TEXT_MINIMUM;
  }

  /** Whether the pair meets WCAG 2.2 AA for its text size. */
  public static boolean passes(ColorPair pair) {
    return ratio(pair.text(), pair.background()).compareTo(minimum(pair.large())) >= 0;
  }

  /** Whether the text is a colour {@link #ratio} accepts. */
  public static boolean isHexColor(String text) {
    return text != null && HEX.matcher(text).matches();
  }

  /** The relative luminance of {@code #rgb} or {@code #rrggbb}, from 0 (black) to 1 (white). */
  public static double relativeLuminance(String hex) {
    if (!isHexColor(hex)) {
      throw new IllegalArgumentException("not a #rgb or #rrggbb colour: " + hex);
    }
    String digits = hex.substring(1);
    if (digits.length() == 3) {
      digits =
          new StringBuilder()
              .append(digits.charAt(0))
              .append(digits.charAt(0))
              .append(digits.charAt(1))
              .append(digits.charAt(1))
              .append(digits.charAt(2))
              .append(digits.charAt(2))
              .toString();
    }
    double r = linear(Integer.parseInt(digits.substring(0, 2), 16));
    double g = linear(Integer.parseInt(digits.substring(2, 4), 16));
    double b = linear(Integer.parseInt(digits.substring(4, 6), 16));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }

  private static double linear(int channel) {
    double c = channel / 255.0;
    return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  }
}
