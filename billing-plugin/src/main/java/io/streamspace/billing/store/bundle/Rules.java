package io.streamspace.billing.store.bundle;

/**
 * The stable names of the rules a bundle is checked against, as {@link Violation#rule()} carries
 * them (an API answer shows them; a creator's tools may match on them).
 */
public final class Rules {

  /** The archive is not a readable zip, is encrypted, or its directory disagrees with itself. */
  public static final String ARCHIVE = "archive";

  /** manifest.json missing, not JSON, a field missing or wrong, a bad name or version. */
  public static final String MANIFEST = "manifest";

  /** A price missing, not allowed, of the wrong precision or out of bounds; bad access days. */
  public static final String PRICE = "price";

  /** A budget of bytes exceeded: the whole zip, or one file for its type. */
  public static final String SIZE = "size";

  /** An entry's path: zip-slip, absolute, backslash, drive letter, duplicate, too deep or many. */
  public static final String ZIP_PATH = "zip_path";

  /** Inflating an entry went past the ratio or the total budget: reading stopped there. */
  public static final String ZIP_BOMB = "zip_bomb";

  /** A file whose extension is not allowed, or whose bytes are not what the extension says. */
  public static final String FILE_TYPE = "file_type";

  /** Anything that can run code: script elements, on* handlers, javascript:, expression(). */
  public static final String SCRIPT = "script";

  /** Anything that loads from outside the bundle: http(s):, //, data:, absolute paths. */
  public static final String EXTERNAL_URL = "external_url";

  /** An image wider or higher than the budget, or with no size to read. */
  public static final String IMAGE_DIMENSIONS = "image_dimensions";

  /** Too many font files (each file's bytes are the {@code size} rule's). */
  public static final String FONT = "font";

  /** A declared text/background pair below 4.5:1 (3:1 for large text). */
  public static final String CONTRAST = "contrast";

  /** The stylesheet defines no visible focus indicator. */
  public static final String FOCUS_INDICATOR = "focus_indicator";

  /** A state (hover, checked, aria-selected, ...) shown by a change of colour alone. */
  public static final String COLOR_ONLY_STATE = "color_only_state";

  /** The named stylesheet is missing, does not parse, or uses something not accepted. */
  public static final String STYLESHEET = "stylesheet";

  private Rules() {}
}
