/**
 * Validation of a creator's theme bundle for the add-on store (issue 31): pure, with no database,
 * HTTP or configuration. {@link io.streamspace.billing.store.bundle.BundleInspector} reads the
 * zip and returns a {@link io.streamspace.billing.store.bundle.BundleReport} naming every failed
 * rule; the store refuses a bundle whose report is not {@code accepted()}. The creator-facing
 * description is {@code docs/store-bundles.md}.
 *
 * <p>Budgets ({@link io.streamspace.billing.store.bundle.BundleLimits#defaults()}): 300 KB
 * compressed, 1 MB inflated, 100:1 per entry (judged from 16 KB), 64 entries, paths 4 deep and
 * 128 characters; manifest 16 KB, stylesheet 64 KB, SVG 64 KB, raster image 200 KB, font 100 KB,
 * at most 4 fonts; images at most 2048 × 2048; USD at most 999.99, VND at most 25,000,000;
 * time-limited access 1 to 3650 days.
 *
 * <p>Rules ({@link io.streamspace.billing.store.bundle.Rules}):
 *
 * <ul>
 *   <li>{@code archive}: a readable, unencrypted zip whose central directory lists the same
 *       entries as its local headers.
 *   <li>{@code zip_path}: relative paths of plain segments ({@code A-Z a-z 0-9 . _ -}, no
 *       leading dot): no {@code ..}, absolute path, backslash, drive letter; no two entries equal
 *       once lower-cased and NFC-normalized; depth, length and entry count bounded.
 *   <li>{@code zip_bomb}: inflated bytes counted while reading, never taken from headers; reading
 *       stops at the ratio or the total budget.
 *   <li>{@code size}: the zip, and each file for its type.
 *   <li>{@code file_type}: an allow-list by extension and first bytes; SVG must be well-formed
 *       XML without DOCTYPE, rooted at {@code <svg>}.
 *   <li>{@code manifest}, {@code price}: {@code ManifestReader}.
 *   <li>{@code script}, {@code external_url}: {@code CssChecks},
 *       {@code SvgInspector}, {@code References} (data: URLs are refused too).
 *   <li>{@code image_dimensions}: PNG and JPEG headers through ImageIO, WebP's VP8/VP8L/VP8X
 *       header, SVG's width/height or viewBox.
 *   <li>{@code font}: the number of font files (their bytes are {@code size}'s).
 *   <li>{@code contrast}: each declared pair at least 4.5:1, 3:1 for large text, by {@link
 *       io.streamspace.billing.store.bundle.Contrast} (rounded down).
 *   <li>{@code focus_indicator}, {@code color_only_state}, {@code stylesheet}: {@link
 *       io.streamspace.billing.store.bundle.CssChecks} and {@link
 *       io.streamspace.billing.store.bundle.CssStylesheet}.
 * </ul>
 *
 * <p>CSS is read by a tokenizer of its own ({@link
 * io.streamspace.billing.store.bundle.CssTokenizer}, CSS Syntax Level 3): no CSS parser library
 * is among the packages this build may use.
 */
package io.streamspace.billing.store.bundle;
