package io.streamspace.billing.store.bundle;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.streamspace.billing.json.JsonMapper;
import io.streamspace.billing.store.bundle.SaleModel.Free;
import io.streamspace.billing.store.bundle.SaleModel.OneTime;
import io.streamspace.billing.store.bundle.SaleModel.TimeLimited;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@code manifest.json} strictly: one JSON object, no duplicate key, no unknown field, every
 * field of the right JSON type. Decimals are kept exactly as written (the billing mapper's), so
 * {@code 4.999} is seen with its 3 decimals.
 *
 * <ul>
 *   <li>{@code name}: 1 to 64 characters of letters, digits, spaces and {@code - _ . ' & ! ( )},
 *       not starting or ending with a space;
 *   <li>{@code version}: Semantic Versioning 2.0.0 ({@code 1.0.0}, {@code 2.1.0-beta.1});
 *   <li>{@code sale}: {@code one_time}, {@code free} or {@code time_limited} with whole {@code
 *       days} from 1 to the budget ({@code price} rule);
 *   <li>{@code price} ({@code price} rule): absent or {@code {}} when free; otherwise USD and/or
 *       VND only, JSON numbers above 0 and at most the budget, USD with at most 2 decimals, VND
 *       whole;
 *   <li>{@code colors}: at least one {@code {"text","background","large"}} with {@code #rgb} or
 *       {@code #rrggbb} colours and a boolean;
 *   <li>{@code stylesheet}: a path in the bundle ending in {@code .css} ({@code stylesheet} rule
 *       when missing from the bundle); {@code preview} (optional): an image path in the bundle.
 * </ul>
 */
final class ManifestReader {

  /**
   * What was read: the manifest if all of it was valid, and the stylesheet path and the colour
   * pairs if they were (the other rules judge them even when another field is wrong).
   */
  record Read(Manifest manifest, String stylesheet, List<ColorPair> colors) {}

  private static final Set<String> FIELDS =
      Set.of("name", "version", "price", "sale", "colors", "stylesheet", "preview");
  private static final Pattern NAME =
      Pattern.compile(
          "[\\p{L}\\p{N}_.'&!()-]([\\p{L}\\p{N} _.'&!()-]{0,62}[\\p{L}\\p{N}_.'&!()-])?");

  /** The regular expression semver.org gives for a version. */
  private static final Pattern SEMVER =
      Pattern.compile(
          "(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)"
              + "(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)"
              + "(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
              + "(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?");

  private static final int MAX_VERSION_LENGTH = 64;
  private static final Currency USD = Currency.getInstance("USD");
  private static final Currency VND = Currency.getInstance("VND");
  private static final ObjectReader READER =
      JsonMapper.MAPPER.reader().with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);

  private final BundleLimits limits;
  private final Findings findings;
  private boolean valid = true;

  ManifestReader(BundleLimits limits, Findings findings) {
    this.limits = limits;
    this.findings = findings;
  }

  /** Reads the manifest's bytes (null when the bundle has none). */
  Read read(byte[] bytes, Set<String> bundleFiles) {
    if (bytes == null) {
      if (!bundleFiles.contains(FileTypes.MANIFEST_PATH)) {
        findings.add(Rules.MANIFEST, null, "no manifest.json at the bundle's root");
      } // else it is there but refused (size, file_type), which its own violation says
      valid = false;
      return new Read(null, null, null);
    }
    String text = FileTypes.decode(bytes);
    JsonNode root;
    try {
      root = text == null ? null : READER.readTree(text);
    } catch (Exception e) {
      root = null;
    }
    if (root == null || !root.isObject()) {
      findings.add(Rules.MANIFEST, FileTypes.MANIFEST_PATH, "not a JSON object (or a key twice)");
      return new Read(null, null, null);
    }
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String field = names.next();
      if (!FIELDS.contains(field)) {
        manifest("an unknown field '" + ZipPaths.printable(field) + "'");
      }
    }
    String name = text(root, "name");
    if (name != null && !NAME.matcher(name).matches()) {
      manifest(
          "the name must be 1 to 64 letters, digits, spaces or - _ . ' & ! ( ), not"
              + " starting or ending with a space");
    }
    String version = text(root, "version");
    if (version != null
        && (version.length() > MAX_VERSION_LENGTH || !SEMVER.matcher(version).matches())) {
      manifest(
          "the version '"
              + ZipPaths.printable(version)
              + "' is not a semantic version"
              + " (MAJOR.MINOR.PATCH)");
    }
    SaleModel sale = sale(root);
    Map<Currency, BigDecimal> price = price(root, sale);
    List<ColorPair> colors = colors(root);
    String stylesheet = path(root, "stylesheet", true, bundleFiles);
    String preview = root.has("preview") ? path(root, "preview", false, bundleFiles) : null;
    if (!valid
        || name == null
        || version == null
        || sale == null
        || price == null
        || colors == null
        || stylesheet == null) {
      return new Read(null, stylesheet, colors);
    }
    return new Read(
        new Manifest(name, version, price, sale, colors, stylesheet, preview), stylesheet, colors);
  }

  private SaleModel sale(JsonNode root) {
    JsonNode sale = root.get("sale");
    if (sale == null || !sale.isObject() || !sale.path("kind").isTextual()) {
      manifest("'sale' must be an object with a 'kind': one_time, time_limited or free");
      return null;
    }
    String kind = sale.get("kind").textValue();
    Set<String> allowed = kind.equals("time_limited") ? Set.of("kind", "days") : Set.of("kind");
    for (Iterator<String> names = sale.fieldNames(); names.hasNext(); ) {
      String field = names.next();
      if (!allowed.contains(field)) {
        manifest(
            "'sale' of kind "
                + ZipPaths.printable(kind)
                + " has an unknown field '"
                + ZipPaths.printable(field)
                + "'");
      }
    }
    switch (kind) {
      case "one_time":
        return new OneTime();
      case "free":
        return new Free();
      case "time_limited":
        JsonNode days = sale.get("days");
        if (days == null
            || !days.isIntegralNumber()
            || !days.canConvertToInt()
            || days.intValue() < 1
            || days.intValue() > limits.maxAccessDays()) {
          price("a time-limited sale needs whole 'days' from 1 to " + limits.maxAccessDays());
          return null;
        }
        return new TimeLimited(days.intValue());
      default:
        manifest(
            "'sale' kind '" + ZipPaths.printable(kind) + "' is not one_time, time_limited or free");
        return null;
    }
  }

  private Map<Currency, BigDecimal> price(JsonNode root, SaleModel sale) {
    JsonNode price = root.get("price");
    if (price != null && !price.isObject()) {
      price("'price' must be an object of currency codes to amounts");
      return null;
    }
    Map<Currency, BigDecimal> amounts = new LinkedHashMap<>();
    if (sale instanceof Free) {
      if (price != null && price.size() > 0) {
        price("a free item has no price");
        return null;
      }
      return amounts;
    }
    if (price == null || price.size() == 0) {
      if (sale != null) {
        price("a paid item needs a price in USD and/or VND");
      }
      return null;
    }
    boolean ok = true;
    for (Iterator<Map.Entry<String, JsonNode>> fields = price.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      Currency currency =
          field.getKey().equals("USD") ? USD : field.getKey().equals("VND") ? VND : null;
      if (currency == null) {
        price(
            "'"
                + ZipPaths.printable(field.getKey())
                + "' is not a currency of the store (USD,"
                + " VND)");
        ok = false;
        continue;
      }
      if (!field.getValue().isNumber()) {
        price("the " + currency + " price must be a JSON number");
        ok = false;
        continue;
      }
      BigDecimal amount = field.getValue().decimalValue();
      BigDecimal max = currency == USD ? limits.maxPriceUsd() : limits.maxPriceVnd();
      int decimals = currency == USD ? 2 : 0;
      if (amount.signum() <= 0 || amount.compareTo(max) > 0) {
        price(
            "the "
                + currency
                + " price "
                + amount.toPlainString()
                + " must be above 0 and at"
                + " most "
                + max.toPlainString());
        ok = false;
      } else if (amount.stripTrailingZeros().scale() > decimals) {
        price(
            "the "
                + currency
                + " price "
                + amount.toPlainString()
                + (decimals == 0 ? " must be whole" : " has more than " + decimals + " decimals"));
        ok = false;
      } else {
        amounts.put(currency, amount);
      }
    }
    return ok ? amounts : null;
  }

  private List<ColorPair> colors(JsonNode root) {
    JsonNode colors = root.get("colors");
    if (colors == null || !colors.isArray() || colors.size() == 0) {
      manifest("'colors' must list at least one {text, background, large} pair");
      return null;
    }
    List<ColorPair> pairs = new ArrayList<>();
    for (int i = 0; i < colors.size(); i++) {
      JsonNode pair = colors.get(i);
      String text = pair.path("text").textValue();
      String background = pair.path("background").textValue();
      JsonNode large = pair.path("large");
      if (!pair.isObject()
          || pair.size() != 3
          || !Contrast.isHexColor(text)
          || !Contrast.isHexColor(background)
          || !large.isBoolean()) {
        manifest(
            "colors["
                + i
                + "] must be {\"text\": \"#rrggbb\", \"background\": \"#rrggbb\","
                + " \"large\": true|false}");
        return null;
      }
      pairs.add(new ColorPair(text, background, large.booleanValue()));
    }
    return pairs;
  }

  /** A path field, normalized; null (and a violation) when it is missing or wrong. */
  private String path(JsonNode root, String field, boolean stylesheet, Set<String> bundleFiles) {
    JsonNode node = root.get(field);
    if (node == null || !node.isTextual()) {
      manifest("'" + field + "' must be the path of a file in the bundle");
      return null;
    }
    String path = ZipPaths.resolve("", node.textValue());
    FileTypes type = path == null ? null : FileTypes.byName(path);
    if (path == null || (stylesheet ? type != FileTypes.CSS : type == null || !type.isImage())) {
      manifest(
          "'"
              + field
              + "' must name "
              + (stylesheet ? "a .css file" : "an image")
              + " in the bundle, not '"
              + ZipPaths.printable(node.textValue())
              + "'");
      return null;
    }
    if (!stylesheet && !bundleFiles.contains(path)) {
      findings.add(Rules.MANIFEST, path, "the preview image is not in the bundle");
      valid = false;
      return null;
    }
    return path;
  }

  private String text(JsonNode root, String field) {
    JsonNode node = root.get(field);
    if (node == null || !node.isTextual()) {
      manifest("'" + field + "' is missing or not a string");
      return null;
    }
    return node.textValue();
  }

  private void manifest(String detail) {
    findings.add(Rules.MANIFEST, FileTypes.MANIFEST_PATH, detail);
    valid = false;
  }

  private void price(String detail) {
    findings.add(Rules.PRICE, FileTypes.MANIFEST_PATH, detail);
    valid = false;
  }
}
