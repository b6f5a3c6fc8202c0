package io.streamspace.billing.store.bundle;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Inspects a theme bundle (a zip) before an admin ever sees it, and reports every rule it fails.
 * Pure: no database, no network, no disk. The archive is never trusted: its sizes are counted,
 * not read from headers; its names are judged before use; every file's type is known by its
 * extension and its bytes; text is parsed, never matched with patterns. It never throws: a
 * bundle that cannot be read is a report with an {@link Rules#ARCHIVE} violation.
 *
 * <p>The rules, in the order they are checked (names in {@link Rules}, budgets in {@link
 * BundleLimits#defaults()}, details in package-info): archive and zip_path, zip_bomb and size
 * while reading; file_type and font; manifest and price; stylesheet, script, external_url,
 * color_only_state per stylesheet; script, external_url, image_dimensions per SVG;
 * image_dimensions per raster image; focus_indicator for the manifest's stylesheet; contrast for
 * each declared colour pair.
 */
public final class BundleInspector {

  private final BundleLimits limits;

  public BundleInspector(BundleLimits limits) {
    this.limits = limits;
  }

  /** The report on a bundle's bytes; never throws, whatever the bytes are. */
  public BundleReport inspect(byte[] zip) {
    Findings findings = new Findings();
    List<BundleFile> files = new ArrayList<>();
    Manifest manifest = null;
    if (zip == null) {
      findings.add(Rules.ARCHIVE, null, "no bundle was given");
      return new BundleReport(Optional.empty(), findings.list(), files);
    }
    try {
      manifest = inspect(zip, findings, files);
    } catch (RuntimeException | StackOverflowError e) {
      // a last resort: every reader above bounds its input, but a report must still come back
      findings.add(Rules.ARCHIVE, null, "the bundle could not be inspected: " + e);
    }
    return new BundleReport(Optional.ofNullable(manifest), findings.list(), files);
  }

  private Manifest inspect(byte[] zip, Findings findings, List<BundleFile> files) {
    ArchiveReader archive = new ArchiveReader(limits, findings);
    List<ArchiveReader.Entry> entries = archive.read(zip);
    if (entries.isEmpty() && findings.any(Rules.ARCHIVE)) {
      return null; // nothing was read: the rules below would only repeat it
    }
    Map<String, byte[]> typed = new LinkedHashMap<>();
    Map<String, FileTypes> types = new LinkedHashMap<>();
    int fonts = 0;
    for (ArchiveReader.Entry entry : entries) {
      files.add(new BundleFile(entry.path(), entry.bytes().length, sha256(entry.bytes())));
      FileTypes type = FileTypes.byName(entry.path());
      if (type == null) {
        findings.add(
            Rules.FILE_TYPE,
            entry.path(),
            "not an allowed file type (manifest.json at the root, .css, .svg, .png, .jpg, .jpeg,"
                + " .webp, .woff, .woff2)");
      } else if (!type.matches(entry.bytes())) {
        findings.add(
            Rules.FILE_TYPE,
            entry.path(),
            "its bytes are not those of " + FileTypes.describe(entry.path()));
      } else {
        typed.put(entry.path(), entry.bytes());
        types.put(entry.path(), type);
        fonts += type.isFont() ? 1 : 0;
      }
    }
    if (fonts > limits.maxFontFiles()) {
      findings.add(
          Rules.FONT,
          null,
          fonts
              + " font files, more than "
              + limits.maxFontFiles()
              + ": ship subsets of the faces the theme uses");
    }
    Set<String> paths = archive.paths();
    ManifestReader.Read read =
        new ManifestReader(limits, findings).read(typed.get(FileTypes.MANIFEST_PATH), paths);
    for (Map.Entry<String, FileTypes> file : types.entrySet()) {
      String path = file.getKey();
      byte[] bytes = typed.get(path);
      switch (file.getValue()) {
        case CSS -> stylesheet(path, bytes, path.equals(read.stylesheet()), paths, findings);
        case SVG -> new SvgInspector(path, limits, findings).inspect(bytes);
        case PNG, JPEG, WEBP -> raster(path, file.getValue(), bytes, findings);
        default -> {}
      }
    }
    if (read.stylesheet() != null && !paths.contains(read.stylesheet())) {
      findings.add(
          Rules.STYLESHEET, read.stylesheet(), "the manifest's stylesheet is not in the bundle");
    }
    if (read.colors() != null) {
      contrast(read.colors(), findings);
    }
    return read.manifest();
  }

  private void stylesheet(
      String path, byte[] bytes, boolean named, Set<String> paths, Findings findings) {
    String text = FileTypes.decode(bytes);
    CssTokenizer.Result tokens = CssTokenizer.tokenize(text);
    CssChecks.safety(text, tokens.tokens(), path, false, paths, findings);
    CssStylesheet sheet = CssStylesheet.parse(tokens.tokens());
    List<String> errors = new ArrayList<>(tokens.errors());
    errors.addAll(sheet.errors());
    CssChecks.structure(errors, path, findings);
    CssChecks.colorOnlyStates(sheet, path, findings);
    if (named && !CssChecks.hasFocusIndicator(sheet)) {
      findings.add(
          Rules.FOCUS_INDICATOR,
          path,
          "no :focus-visible or :focus rule sets a visible outline, box-shadow or border");
    }
  }

  private void raster(String path, FileTypes type, byte[] bytes, Findings findings) {
    ImageDimensions.Size size = ImageDimensions.of(type, bytes);
    if (size == null) {
      findings.add(Rules.IMAGE_DIMENSIONS, path, "its header gives no readable width and height");
    } else if (size.width() < 1
        || size.height() < 1
        || size.width() > limits.maxImageWidth()
        || size.height() > limits.maxImageHeight()) {
      findings.add(
          Rules.IMAGE_DIMENSIONS,
          path,
          size.width()
              + " × "
              + size.height()
              + " pixels, beyond "
              + limits.maxImageWidth()
              + " × "
              + limits.maxImageHeight());
    }
  }

  private static void contrast(List<ColorPair> colors, Findings findings) {
    for (int i = 0; i < colors.size(); i++) {
      ColorPair pair = colors.get(i);
      if (!Contrast.passes(pair)) {
        findings.add(
            Rules.CONTRAST,
            FileTypes.MANIFEST_PATH,
            "colors["
                + i
                + "]: "
                + pair.text()
                + " on "
                + pair.background()
                + " is "
                + Contrast.ratio(pair.text(), pair.background()).toPlainString()
                + ":1, below "
                + Contrast.minimum(pair.large()).toPlainString()
                + ":1 for "
                + (pair.large() ? "large" : "normal")
                + " text");
      }
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
