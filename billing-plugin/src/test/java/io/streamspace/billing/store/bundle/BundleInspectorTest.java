package io.streamspace.billing.store.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.store.bundle.SaleModel.Free;
import io.streamspace.billing.store.bundle.SaleModel.OneTime;
import io.streamspace.billing.store.bundle.SaleModel.TimeLimited;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** One fixture per rule a bundle can fail, each asserting the rule's exact name and file. */
class BundleInspectorTest {

  private final BundleLimits limits = BundleLimits.defaults();
  private final BundleInspector inspector = new BundleInspector(limits);

  private BundleReport inspect(Bundles bundle) {
    return inspector.inspect(bundle.zip());
  }

  /** "rule file" of every violation, for assertions that show the whole report on failure. */
  private static List<String> found(BundleReport report) {
    return report.violations().stream().map(v -> v.rule() + " " + v.file()).toList();
  }

  private static void assertOnly(BundleReport report, String rule, String file) {
    assertEquals(List.of(rule + " " + file), found(report), report.violations().toString());
    assertFalse(report.accepted());
  }

  private static Violation first(BundleReport report, String rule) {
    return report.violations().stream()
        .filter(v -> v.rule().equals(rule))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + rule + " in " + report.violations()));
  }

  // ---- a good bundle ----

  @Test
  void aGoodBundleIsAcceptedWithItsManifestAndEveryFileListed() {
    BundleReport report = inspect(Bundles.good());

    assertEquals(List.of(), report.violations());
    assertTrue(report.accepted());
    Manifest manifest = report.manifest().orElseThrow();
    assertEquals("Midnight", manifest.name());
    assertEquals("1.0.0", manifest.version());
    assertEquals(
        Map.of(
            Currency.getInstance("USD"), new BigDecimal("4.99"),
            Currency.getInstance("VND"), new BigDecimal("120000")),
        manifest.price());
    assertEquals(new OneTime(), manifest.sale());
    assertEquals(List.of(new ColorPair("#f5f5f5", "#1a1a2e", false)), manifest.colors());
    assertEquals("theme.css", manifest.stylesheet());
    assertEquals("preview.png", manifest.preview());
    assertEquals(
        List.of("manifest.json", "theme.css", "preview.png", "icon.svg", "fonts/inter.woff2"),
        report.files().stream().map(BundleFile::path).toList());
    BundleFile css = report.files().get(1);
    assertEquals(Bundles.CSS.getBytes(StandardCharsets.UTF_8).length, css.size());
    assertTrue(css.sha256().matches("[0-9a-f]{64}"), css.sha256());
  }

  @Test
  void aFreeItemAndATimeLimitedOneAreReadWithTheirSaleModel() {
    BundleReport free =
        inspect(
            Bundles.good()
                .manifest("\"price\":{\"USD\":4.99,\"VND\":120000},", "")
                .manifest("one_time", "free"));
    BundleReport rental =
        inspect(Bundles.good().manifest("\"one_time\"", "\"time_limited\",\"days\":30"));

    assertEquals(new Free(), free.manifest().orElseThrow().sale(), free.violations().toString());
    assertEquals(Map.of(), free.manifest().orElseThrow().price());
    assertEquals(new TimeLimited(30), rental.manifest().orElseThrow().sale());
  }

  @Test
  void aBundleFailingThreeRulesAtOnceReportsAllThree() {
    BundleReport report =
        inspect(
            Bundles.good()
                .manifest("4.99", "4.999")
                .manifest("#f5f5f5", "#777777")
                .manifest("#1a1a2e", "#ffffff")
                .css("body { background-image: url(https://cdn.example.com/bg.png); }"));

    assertEquals(
        List.of("price manifest.json", "external_url theme.css", "contrast manifest.json"),
        found(report));
    assertTrue(report.manifest().isEmpty(), "a manifest with a price failure is not returned");
  }

  @Test
  void anyBytesAtAllGiveAReportNeverAnException() {
    byte[] good = Bundles.good().zip();
    List<byte[]> inputs =
        List.of(
            new byte[0],
            "not a zip".getBytes(StandardCharsets.UTF_8),
            Bundles.noise(5000, 1),
            Arrays.copyOf(good, good.length / 2),
            Arrays.copyOfRange(good, 10, good.length));
    for (byte[] input : inputs) {
      BundleReport report = inspector.inspect(input);
      assertFalse(report.accepted());
    }
    assertEquals("archive", inspector.inspect(null).violations().get(0).rule());
    assertEquals(List.of("archive null"), found(inspector.inspect("PK but no".getBytes())));
  }

  @Test
  void customPropertiesReferringToEachOtherManyTimesOverAreJudgedInBoundedTime() {
    // CSS's billion laughs: 10 levels of 10 references, 10^10 tokens if expanded naively
    StringBuilder css = new StringBuilder(":root { --l0: #fff; ");
    for (int level = 1; level <= 10; level++) {
      css.append("--l").append(level).append(":");
      for (int i = 0; i < 10; i++) {
        css.append(" var(--l").append(level - 1).append(")");
      }
      css.append("; ");
    }
    css.append("} a:hover { --x: var(--l10); } :focus { outline: var(--l10); }");

    BundleReport report =
        assertTimeoutPreemptively(
            Duration.ofSeconds(10), () -> inspect(Bundles.good().css(css.toString())));

    assertEquals(
        "color_only_state theme.css", found(report).get(0), report.violations().toString());
  }

  @Test
  void anSvgSizeOfThousandsOfDigitsIsRefusedWithoutBacktracking() {
    // random digits: long, yet not so compressible as to look like a bomb
    StringBuilder random = new StringBuilder();
    java.util.Random seeded = new java.util.Random(3);
    while (random.length() < 25_000) {
      random.append(seeded.nextInt(10));
    }
    String digits = random + "x";
    String svg =
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\""
            + digits
            + "\" height=\"1\""
            + " viewBox=\"0 0 "
            + digits
            + " 1\"/>";

    BundleReport report =
        assertTimeoutPreemptively(
            Duration.ofSeconds(10), () -> inspect(Bundles.good().with("icon.svg", svg)));

    assertOnly(report, "image_dimensions", "icon.svg");
  }

  @Test
  void corruptedBundlesAreReportedByTheRulesNotByTheLastResortCatch() {
    // deflated and stored: flips land in headers, sizes, names and data alike
    byte[] deflated = Bundles.good().with("img/a.jpg", Bundles.jpeg(32, 32)).zip();
    byte[] stored = Bundles.good().with("img/a.jpg", Bundles.jpeg(32, 32)).stored().zip();
    java.util.Random random = new java.util.Random(11);
    for (int round = 0; round < 600; round++) {
      byte[] bad = (round % 2 == 0 ? deflated : stored).clone();
      for (int flips = 1 + random.nextInt(8); flips > 0; flips--) {
        bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
      }
      BundleReport report = inspector.inspect(bad);
      for (Violation violation : report.violations()) {
        assertFalse(
            violation.detail().startsWith("the bundle could not be inspected"),
            "round " + round + ": " + violation);
      }
    }
  }

  // ---- manifest ----

  @Test
  void aBundleWithoutManifestFailsTheManifestRule() {
    BundleReport report = inspect(Bundles.good().without("manifest.json"));

    assertEquals("manifest", report.violations().get(0).rule());
    assertEquals(null, report.violations().get(0).file());
    assertTrue(report.manifest().isEmpty());
  }

  @Test
  void aManifestOverItsBudgetFailsTheSizeRuleAloneNotAlsoTheManifestRule() {
    BundleReport report =
        inspect(Bundles.good().manifest("\"Midnight\"", "\"Midnight\"" + " ".repeat(17_000)));

    assertOnly(report, "size", "manifest.json");
    assertTrue(report.manifest().isEmpty());
  }

  @Test
  void aManifestThatIsNotJsonFailsTheManifestRule() {
    assertOnly(
        inspect(Bundles.good().with("manifest.json", "{\"name\": \"Midnight\",")),
        "manifest",
        "manifest.json");
  }

  @Test
  void aManifestWithAKeyTwiceFailsTheManifestRule() {
    assertOnly(
        inspect(Bundles.good().manifest("{\"name\"", "{\"name\":\"Other\",\"name\"")),
        "manifest",
        "manifest.json");
  }

  @Test
  void aVersionThatIsNotSemanticFailsTheManifestRule() {
    BundleReport report = inspect(Bundles.good().manifest("1.0.0", "1.0"));

    assertOnly(report, "manifest", "manifest.json");
    assertTrue(first(report, "manifest").detail().contains("semantic version"));
  }

  @Test
  void aNameWithMarkupFailsTheManifestRule() {
    assertOnly(
        inspect(Bundles.good().manifest("\"Midnight\"", "\"<b>Midnight</b>\"")),
        "manifest",
        "manifest.json");
  }

  @Test
  void aMissingFieldAndAnUnknownOneFailTheManifestRule() {
    BundleReport report =
        inspect(Bundles.good().manifest("\"version\":\"1.0.0\"", "\"author\":\"x\""));

    assertEquals(List.of("manifest manifest.json", "manifest manifest.json"), found(report));
  }

  @Test
  void aPreviewThatIsNotInTheBundleFailsTheManifestRule() {
    assertOnly(inspect(Bundles.good().without("preview.png")), "manifest", "preview.png");
  }

  // ---- price ----

  @Test
  void aUsdPriceWithThreeDecimalsFailsThePriceRule() {
    BundleReport report = inspect(Bundles.good().manifest("4.99", "4.999"));

    assertOnly(report, "price", "manifest.json");
    assertTrue(first(report, "price").detail().contains("4.999"));
  }

  @Test
  void aVndPriceWithDecimalsFailsThePriceRule() {
    assertOnly(inspect(Bundles.good().manifest("120000", "120000.5")), "price", "manifest.json");
  }

  @Test
  void aZeroANegativeAndAnUnboundedPriceFailThePriceRule() {
    assertOnly(inspect(Bundles.good().manifest("4.99", "0")), "price", "manifest.json");
    assertOnly(inspect(Bundles.good().manifest("4.99", "-1")), "price", "manifest.json");
    assertOnly(inspect(Bundles.good().manifest("4.99", "1000.00")), "price", "manifest.json");
    assertOnly(inspect(Bundles.good().manifest("4.99", "\"4.99\"")), "price", "manifest.json");
  }

  @Test
  void aCurrencyOtherThanUsdOrVndFailsThePriceRule() {
    assertOnly(inspect(Bundles.good().manifest("\"VND\"", "\"EUR\"")), "price", "manifest.json");
  }

  @Test
  void aFreeItemWithAPriceFailsThePriceRule() {
    assertOnly(inspect(Bundles.good().manifest("one_time", "free")), "price", "manifest.json");
  }

  @Test
  void aPaidItemWithoutAPriceFailsThePriceRule() {
    assertOnly(
        inspect(Bundles.good().manifest("\"price\":{\"USD\":4.99,\"VND\":120000},", "")),
        "price",
        "manifest.json");
  }

  @Test
  void timeLimitedAccessOfZeroOrMoreThanTenYearsOfDaysFailsThePriceRule() {
    for (String days : List.of("0", "3651", "30.5")) {
      assertOnly(
          inspect(Bundles.good().manifest("\"one_time\"", "\"time_limited\",\"days\":" + days)),
          "price",
          "manifest.json");
    }
    assertTrue(
        inspect(Bundles.good().manifest("\"one_time\"", "\"time_limited\",\"days\":3650"))
            .accepted());
  }

  // ---- size ----

  @Test
  void aStylesheetOverItsBudgetFailsTheSizeRuleNamingTheFile() {
    // 70 KB of custom properties with random values: over 64 KB, yet not compressible enough to
    // look like a bomb
    StringBuilder css = new StringBuilder();
    java.util.Random random = new java.util.Random(7);
    for (int i = 0; css.length() < 70 * 1024; i++) {
      css.append(String.format(":root { --c%d: #%06x; }%n", i, random.nextInt(0x1000000)));
    }
    BundleReport report = inspect(Bundles.good().css(css.toString()));

    assertTrue(found(report).contains("size theme.css"), report.violations().toString());
    assertTrue(first(report, "size").detail().contains("65536"));
  }

  @Test
  void aBundleOverThreeHundredKilobytesCompressedFailsTheSizeRule() {
    // four incompressible 90 KB fonts: each within its budget, 360 KB together
    Bundles bundle = Bundles.good();
    for (int i = 0; i < 4; i++) {
      bundle.with("fonts/f" + i + ".woff", Bundles.font("wOFF", 90 * 1024 + i));
    }
    bundle
        .without("fonts/inter.woff2")
        .css("")
        .with("theme.css", Bundles.CSS.replace("fonts/inter.woff2", "fonts/f0.woff"));
    BundleReport report = inspect(bundle);

    assertOnly(report, "size", "null");
    assertTrue(first(report, "size").detail().contains("307200"));
  }

  // ---- zip_path ----

  @Test
  void aZipSlipToEtcPasswdFailsTheZipPathRule() {
    BundleReport report = inspect(Bundles.good().with("../../etc/passwd", "root:x:0:0"));

    assertOnly(report, "zip_path", "../../etc/passwd");
    assertTrue(first(report, "zip_path").detail().contains(".."));
    assertFalse(
        report.files().stream().anyMatch(f -> f.path().contains("passwd")),
        "a refused path is never read as a file");
  }

  @Test
  void absolutePathsBackslashesAndDriveLettersFailTheZipPathRule() {
    for (String name : List.of("/etc/cron.d/x.css", "fonts\\..\\x.css", "C:/x.css", "C:x.css")) {
      assertOnly(inspect(Bundles.good().with(name, "a{}")), "zip_path", name);
    }
  }

  @Test
  void twoEntriesThatAreOneFileOnceNormalizedFailTheZipPathRule() {
    assertOnly(inspect(Bundles.good().with("Theme.css", "a{}")), "zip_path", "Theme.css");
    assertOnly(inspect(Bundles.good().with("./theme.css", "a{}")), "zip_path", "./theme.css");
  }

  @Test
  void aPathTooDeepFailsTheZipPathRule() {
    assertOnly(inspect(Bundles.good().with("a/b/c/d/e.css", "a{}")), "zip_path", "a/b/c/d/e.css");
  }

  @Test
  void tooManyEntriesFailTheZipPathRuleAndReadingStops() {
    Bundles bundle = Bundles.good();
    for (int i = 0; i < 70; i++) {
      bundle.with("img/i" + i + ".svg", Bundles.SVG);
    }
    BundleReport report = inspect(bundle);

    assertEquals("zip_path", report.violations().get(0).rule());
    assertTrue(report.violations().get(0).detail().contains("more than 64 entries"));
    assertEquals(64, report.files().size());
  }

  @Test
  void aCentralDirectoryThatListsOtherEntriesFailsTheArchiveRule() {
    byte[] zip = Bundles.good().with("extra.css", "a{}").zip();
    // rename the entry in the central directory only: unzip would extract another file
    String bytes = new String(zip, StandardCharsets.ISO_8859_1);
    int central = bytes.lastIndexOf("extra.css");
    zip[central] = 'X';

    assertEquals(List.of("archive null"), found(inspector.inspect(zip)));
  }

  // ---- zip_bomb ----

  @Test
  void aZipBombOfTenMegabytesOfZerosIsStoppedLongBeforeItsEnd() {
    byte[] zeros = new byte[10 * 1024 * 1024];
    byte[] zip = Bundles.good().with("theme.css", zeros).zip();
    assertTrue(zip.length < 30 * 1024, "a few KB compressed: " + zip.length);

    BundleReport report = inspector.inspect(zip);

    Violation bomb = first(report, "zip_bomb");
    assertEquals("theme.css", bomb.file());
    Matcher read = Pattern.compile("stopped after (\\d+) bytes").matcher(bomb.detail());
    assertTrue(read.find(), bomb.detail());
    long bytesRead = Long.parseLong(read.group(1));
    assertTrue(
        bytesRead <= limits.maxUncompressedBytes(),
        "read " + bytesRead + " bytes of 10 MB, within the 1 MB bound");
  }

  @Test
  void entriesInflatingPastTheTotalBudgetAreAZipBombEvenAtAModestRatio() {
    // incompressible bytes stored (ratio 1): 6 fonts of 99 KB and 5 images of 199 KB = 1.5 MB
    Bundles bundle = Bundles.good().stored();
    for (int i = 0; i < 8; i++) {
      bundle.with("img/p" + i + ".png", Bundles.noise(199 * 1024, i));
    }
    BundleReport report = inspect(bundle);

    assertTrue(
        first(report, "zip_bomb").detail().contains("more than 1048576 bytes"),
        report.violations().toString());
  }

  // ---- file_type ----

  @Test
  void aFileOfAnotherTypeFailsTheFileTypeRule() {
    assertOnly(inspect(Bundles.good().with("run.exe", "MZ")), "file_type", "run.exe");
    assertOnly(inspect(Bundles.good().with("fonts/x.ttf", "\0\1\0\0")), "file_type", "fonts/x.ttf");
    assertOnly(
        inspect(Bundles.good().with("doc/manifest.json", "{}")), "file_type", "doc/manifest.json");
  }

  @Test
  void aFileWhoseBytesAreNotItsExtensionsFailsTheFileTypeRule() {
    assertOnly(
        inspect(Bundles.good().with("preview.png", Bundles.jpeg(64, 64))),
        "file_type",
        "preview.png");
    assertOnly(
        inspect(Bundles.good().with("fonts/inter.woff2", Bundles.font("wOFF", 100))),
        "file_type",
        "fonts/inter.woff2");
    assertOnly(
        inspect(Bundles.good().with("extra.css", new byte[] {(byte) 0xff, (byte) 0xfe, 0, 'a'})),
        "file_type",
        "extra.css");
  }

  @Test
  void anSvgWithADoctypeFailsTheFileTypeRule() {
    String billionLaughs =
        "<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]>"
            + "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\">&b;</svg>";
    assertOnly(inspect(Bundles.good().with("icon.svg", billionLaughs)), "file_type", "icon.svg");
  }

  // ---- script ----

  @Test
  void expressionMozBindingAndBehaviorInCssFailTheScriptRule() {
    for (String css :
        List.of(
            "a { width: expression(alert(1)); }",
            "a { width: \\65 xpression(alert(1)); }",
            "a { -moz-binding: url(x.xml#x); }",
            "a { behavior: url(x.htc); }",
            "a { background: url(javascript:alert(1)); }",
            "a { background: url('java\\9 script:alert(1)'); }")) {
      BundleReport report = inspect(Bundles.good().css(css));
      assertEquals("script theme.css", found(report).get(0), css + " -> " + report.violations());
    }
  }

  @Test
  void aStylesheetThatWouldCloseAStyleElementFailsTheScriptRule() {
    assertOnly(
        inspect(Bundles.good().css("/* </style><script>alert(1)</script> */")),
        "script",
        "theme.css");
  }

  @Test
  void scriptsAndHandlersInAnSvgFailTheScriptRule() {
    String open = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 24 24\"";
    for (String svg :
        List.of(
            open + "><script>alert(1)</script></svg>",
            open + " onload=\"alert(1)\"/>",
            open
                + " xmlns:x=\"http://www.w3.org/1999/xlink\"><a x:href=\"javascript:alert(1)\"/>"
                + "</svg>",
            open + "><set attributeName=\"href\" to=\" jav&#x09;ascript:alert(1)\"/></svg>",
            open + "><foreignObject><div/></foreignObject></svg>",
            open + "><path style=\"fill: expression(alert(1))\"/></svg>")) {
      assertOnly(inspect(Bundles.good().with("icon.svg", svg)), "script", "icon.svg");
    }
  }

  // ---- external_url ----

  @Test
  void externalUrlsInCssFailTheExternalUrlRule() {
    for (String css :
        List.of(
            "a { background: url(https://cdn.example.com/x.png); }",
            "a { background: url(\"//cdn.example.com/x.png\"); }",
            "a { background: url(/x.png); }",
            "a { background: image-set(\"http://x/a.png\" 1x); }",
            "a { background: url(data:image/png;base64,iVBORw0KGgo=); }",
            "a { background: url(../../outside.png); }",
            "a { background: u\\72 l(http://x/a.png); }")) {
      assertOnly(inspect(Bundles.good().css(css)), "external_url", "theme.css");
    }
  }

  @Test
  void anImportFailsTheStylesheetRuleAndAnExternalOneTheExternalUrlRule() {
    BundleReport report = inspect(Bundles.good().css("@import url(https://x/y.css);"));

    assertEquals(List.of("stylesheet theme.css", "external_url theme.css"), found(report));
  }

  @Test
  void externalReferencesInAnSvgFailTheExternalUrlRule() {
    String open = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 24 24\"";
    for (String svg :
        List.of(
            open + "><image href=\"https://x/y.png\"/></svg>",
            open + "><use href=\"other.svg#a\"/></svg>",
            open + "><path fill=\"url(https://x/#g)\"/></svg>",
            open + "><style>path { fill: url(https://x/#g); }</style></svg>",
            "<?xml-stylesheet href=\"https://x/y.css\"?>" + open + "/>")) {
      assertOnly(inspect(Bundles.good().with("icon.svg", svg)), "external_url", "icon.svg");
    }
  }

  // ---- image_dimensions ----

  @Test
  void rasterImagesBeyondTheDimensionsFailTheImageDimensionsRule() {
    assertOnly(
        inspect(Bundles.good().with("preview.png", Bundles.png(2049, 10))),
        "image_dimensions",
        "preview.png");
    assertOnly(
        inspect(Bundles.good().with("img/a.jpg", Bundles.jpeg(10, 3000))),
        "image_dimensions",
        "img/a.jpg");
    assertOnly(
        inspect(Bundles.good().with("img/a.webp", Bundles.webp(4000, 100))),
        "image_dimensions",
        "img/a.webp");
    assertTrue(inspect(Bundles.good().with("img/a.webp", Bundles.webp(2048, 2048))).accepted());
  }

  @Test
  void anSvgBeyondTheDimensionsOrWithoutAnyFailsTheImageDimensionsRule() {
    String ns = "xmlns=\"http://www.w3.org/2000/svg\"";
    for (String svg :
        List.of(
            "<svg " + ns + " viewBox=\"0 0 5000 10\"/>",
            "<svg " + ns + " width=\"3000px\" height=\"10\"/>",
            "<svg " + ns + "/>")) {
      assertOnly(inspect(Bundles.good().with("icon.svg", svg)), "image_dimensions", "icon.svg");
    }
  }

  // ---- font ----

  @Test
  void moreFontFilesThanTheCapFailTheFontRule() {
    Bundles bundle = Bundles.good();
    for (int i = 0; i < 4; i++) {
      bundle.with("fonts/f" + i + ".woff", Bundles.font("wOFF", 1000));
    }
    BundleReport report = inspect(bundle);

    assertOnly(report, "font", "null");
    assertTrue(first(report, "font").detail().startsWith("5 font files"));
  }

  @Test
  void aFontOverItsBudgetFailsTheSizeRule() {
    assertOnly(
        inspect(Bundles.good().with("fonts/inter.woff2", Bundles.font("wOF2", 101 * 1024))),
        "size",
        "fonts/inter.woff2");
  }

  // ---- contrast ----

  @Test
  void aColourPairBelowFourAndAHalfFailsTheContrastRuleWithItsRatioRoundedDown() {
    BundleReport report =
        inspect(Bundles.good().manifest("#f5f5f5", "#777777").manifest("#1a1a2e", "#ffffff"));

    assertOnly(report, "contrast", "manifest.json");
    assertEquals(
        "colors[0]: #777777 on #ffffff is 4.47:1, below 4.50:1 for normal text",
        first(report, "contrast").detail());
    assertTrue(report.manifest().isPresent(), "contrast does not make the manifest unreadable");
  }

  @Test
  void aLargeTextPairAtThreePointTwoPassesOnlyWhenDeclaredLarge() {
    Bundles pair = Bundles.good().manifest("#f5f5f5", "#8f8f8f").manifest("#1a1a2e", "#ffffff");

    assertOnly(inspect(pair), "contrast", "manifest.json");
    assertTrue(inspect(pair.manifest("\"large\":false", "\"large\":true")).accepted());
  }

  // ---- focus_indicator ----

  @Test
  void aStylesheetWithoutAVisibleFocusRuleFailsTheFocusIndicatorRule() {
    String without =
        Bundles.CSS.replace(
            ":focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }", "");
    for (String focus :
        List.of(
            "",
            ":focus { outline: none; }",
            ":focus-visible { outline: 0; box-shadow: none; }",
            ":focus { outline: 2px solid transparent; }",
            ":focus { outline: 2px #fff; }",
            ":focus { border-style: none; }",
            "a::focus-visible { outline: 2px solid red; }")) {
      assertOnly(
          inspect(Bundles.good().with("theme.css", without + focus)),
          "focus_indicator",
          "theme.css");
    }
  }

  @Test
  void aBoxShadowOrABorderOnFocusIsAFocusIndicator() {
    String without =
        Bundles.CSS.replace(
            ":focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }", "");
    for (String focus :
        List.of(
            "button:focus { outline: none; box-shadow: 0 0 0 3px var(--accent); }",
            "@media screen { a:focus-visible { border: 2px solid #fff; } }",
            ":focus-visible { outline: var(--ring, 2px solid red); }")) {
      BundleReport report = inspect(Bundles.good().with("theme.css", without + focus));
      assertTrue(report.accepted(), focus + " -> " + report.violations());
    }
  }

  // ---- color_only_state ----

  @Test
  void aStateShownByColourAloneFailsTheColorOnlyStateRule() {
    for (String css :
        List.of(
            "a:hover { color: #ffffff; }",
            "li[aria-selected=\"true\"] { background: #e94560; }",
            "input:checked, input[aria-checked=true] { background-color: red; color: white; }",
            ".tab[aria-current] { --tab-bg: var(--accent); }",
            "button:disabled { opacity: .5; }",
            "a:active { border-color: var(--accent) !important; }")) {
      BundleReport report = inspect(Bundles.good().css(css));
      assertOnly(report, "color_only_state", "theme.css");
    }
  }

  @Test
  void aStateThatAlsoChangesSomethingNotAColourPasses() {
    for (String css :
        List.of(
            "a:hover { color: #ffffff; text-decoration: underline; }",
            "li[aria-selected=\"true\"] { background: #e94560; border-left: 4px solid #fff; }",
            "a, a:hover { color: #ffffff; }",
            "input:invalid { border-color: red; border-width: 2px; }",
            "a::before { color: red; }")) {
      BundleReport report = inspect(Bundles.good().css(css));
      assertTrue(report.accepted(), css + " -> " + report.violations());
    }
  }

  // ---- stylesheet ----

  @Test
  void aNamedStylesheetMissingFromTheBundleFailsTheStylesheetRule() {
    assertOnly(inspect(Bundles.good().without("theme.css")), "stylesheet", "theme.css");
  }

  @Test
  void cssOtherThanCustomPropertiesAndOrdinaryRulesFailsTheStylesheetRule() {
    for (String css :
        List.of(
            ".card { color: red; &:hover { color: blue; } }",
            "@namespace svg url(#x);",
            "@-moz-document url-prefix() { a { color: red; } }",
            "a { color: red; ",
            "a { color: \"unclosed; }",
            "} a { color: red; }",
            "a { colour red; }",
            "<!-- a { color: red; } -->")) {
      BundleReport report = inspect(Bundles.good().css(css));
      assertEquals(List.of("stylesheet theme.css"), found(report), css);
    }
  }

  @Test
  void aUrlNamingNoFileOfTheBundleFailsTheStylesheetRule() {
    assertOnly(
        inspect(Bundles.good().css(".x { background: url(img/missing.png); }")),
        "stylesheet",
        "theme.css");
  }

  @Test
  void theViolationsOfABadBundleAreListedInTheOrderTheRulesRun() {
    String rules =
        inspect(Bundles.good().with("../x.css", "a{}").manifest("1.0.0", "x")).violations().stream()
            .map(Violation::rule)
            .collect(Collectors.joining(","));
    assertEquals("zip_path,manifest", rules);
  }
}
