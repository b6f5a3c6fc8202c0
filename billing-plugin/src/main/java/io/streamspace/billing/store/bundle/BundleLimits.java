package io.streamspace.billing.store.bundle;

import java.math.BigDecimal;

/**
 * Every budget a bundle is held to. Byte counts are of the bytes actually read (inflated), never
 * of what the archive's headers claim.
 *
 * @param maxCompressedBytes the zip itself, as uploaded
 * @param maxUncompressedBytes all entries together, inflated; reading stops past it
 * @param maxCompressionRatio inflated bytes per compressed byte of one entry; checked as the
 *     entry is read, once it has given {@code ratioCheckFromBytes}; reading stops past it
 * @param ratioCheckFromBytes below this many inflated bytes an entry's ratio is not judged (a
 *     small, repetitive stylesheet may compress very well)
 * @param maxEntries entries in the archive, directories included
 * @param maxPathDepth folders plus file name of one path ({@code fonts/a.woff2} is 2)
 * @param maxPathLength characters of one path
 * @param maxManifestBytes {@code manifest.json}
 * @param maxStylesheetBytes one {@code .css} file
 * @param maxSvgBytes one {@code .svg} file
 * @param maxImageBytes one {@code .png}, {@code .jpg}/{@code .jpeg} or {@code .webp} file
 * @param maxFontBytes one {@code .woff} or {@code .woff2} file: a subset, not a whole family
 * @param maxFontFiles font files in the bundle
 * @param maxImageWidth pixels (for SVG, user units), read from the image's header
 * @param maxImageHeight likewise
 * @param maxPriceUsd the highest USD price (USD: at most 2 decimals, above 0)
 * @param maxPriceVnd the highest VND price (VND: whole, above 0)
 * @param maxAccessDays the longest time-limited access (at least 1 day)
 */
public record BundleLimits(
    long maxCompressedBytes,
    long maxUncompressedBytes,
    int maxCompressionRatio,
    long ratioCheckFromBytes,
    int maxEntries,
    int maxPathDepth,
    int maxPathLength,
    long maxManifestBytes,
    long maxStylesheetBytes,
    long maxSvgBytes,
    long maxImageBytes,
    long maxFontBytes,
    int maxFontFiles,
    int maxImageWidth,
    int maxImageHeight,
    BigDecimal maxPriceUsd,
    BigDecimal maxPriceVnd,
    int maxAccessDays) {

  private static final long KB = 1024;

  /**
   * The store's budgets: 300 KB compressed, 1 MB inflated, ratio 100:1 (judged from 16 KB), 64
   * entries, paths 4 deep and 128 characters; manifest 16 KB, stylesheet 64 KB, SVG 64 KB, image
   * 200 KB, font 100 KB and 4 fonts; images at most 2048 × 2048; prices at most 999.99 USD and
   * 25,000,000 VND; time-limited access 1 to 3650 days.
   */
  public static BundleLimits defaults() {
    return new BundleLimits(
        300 * KB,
        1024 * KB,
        100,
        16 * KB,
        64,
        4,
        128,
        16 * KB,
        64 * KB,
        64 * KB,
        200 * KB,
        100 * KB,
        4,
        2048,
        2048,
        new BigDecimal("999.99"),
        new BigDecimal("25000000"),
        3650);
  }

  /** The largest single file any type allows: no entry is ever held in memory beyond it. */
  long maxAnyFileBytes() {
    return Math.max(
        Math.max(maxManifestBytes, maxStylesheetBytes),
        Math.max(maxSvgBytes, Math.max(maxImageBytes, maxFontBytes)));
  }
}
