package io.streamspace.billing.store.bundle;

import io.streamspace.billing.store.bundle.CssStylesheet.Declaration;
import io.streamspace.billing.store.bundle.CssStylesheet.Rule;
import io.streamspace.billing.store.bundle.CssToken.Kind;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The rules a bundle's CSS is held to, judged on tokens ({@link CssTokenizer}) and on the parsed
 * stylesheet ({@link CssStylesheet}).
 *
 * <p><b>Safety</b> (every stylesheet, and the CSS inside an SVG): no {@code expression(}, no
 * {@code -moz-binding} or {@code behavior} property, no {@code </style} or {@code <script} in the
 * text (a stylesheet may be inlined in a page); every URL ({@code url(...)}, {@code src(...)},
 * {@code image-set(...)}, {@code @import}) judged by {@link References}; {@code @import} is refused
 * whatever it names: a theme is one stylesheet.
 *
 * <p><b>Focus indicator</b> (the manifest's stylesheet): some rule whose selector has {@code
 * :focus} or {@code :focus-visible} sets {@code outline}, {@code outline-style}, {@code
 * outline-width}, {@code box-shadow} or a {@code border} width/style/shorthand to a visible value:
 * none of {@code none}, {@code hidden}, {@code transparent}; if it has lengths, one of them not
 * zero; for a shorthand or a style property, a line style (their default style is none). {@code
 * var(--x)} is replaced by {@code --x}'s value declared in the stylesheet.
 *
 * <p><b>Colour-only state</b> (every stylesheet), a heuristic: a rule all of whose selectors name a
 * state (the pseudo-classes {@code :hover :active :focus :focus-visible :focus-within :checked
 * :disabled :indeterminate :invalid :user-invalid :target}, or an attribute {@code [aria-selected]
 * [aria-current] [aria-invalid] [aria-checked] [aria-pressed] [aria-expanded] [aria-disabled]
 * [disabled] [checked] [selected] [open]}) and all of whose declarations only change colour is
 * refused. A declaration only changes colour when its property is a colour property ({@code color},
 * {@code background-color}, {@code border-color}, {@code outline-color}, {@code fill}, {@code
 * opacity}, ...), or when it is a shorthand ({@code background}, {@code border}, {@code outline},
 * {@code box-shadow}, {@code text-decoration}, ...) or a custom property whose value is only
 * colours (hex, named colours, colour and gradient functions, or {@code var()} of such a custom
 * property). {@code a, a:hover} is not a state rule (one of its selectors names no state); {@code
 * :visited} is not judged, as browsers let it change colours only.
 */
final class CssChecks {

  private static final Set<String> URL_FUNCTIONS =
      words("url src image-set -webkit-image-set image cross-fade");
  private static final Set<String> FOCUS = words("focus focus-visible");
  private static final Set<String> STATE_PSEUDO_CLASSES =
      words(
          "hover active focus focus-visible focus-within checked disabled "
              + "indeterminate invalid user-invalid target");
  private static final Set<String> STATE_ATTRIBUTES =
      words(
          "aria-selected aria-current aria-invalid aria-checked aria-pressed "
              + "aria-expanded aria-disabled disabled checked selected open");
  private static final Set<String> INDICATOR_PROPERTIES =
      words(
          "outline outline-style outline-width box-shadow border border-width "
              + "border-style border-top border-right border-bottom border-left "
              + "border-block border-inline border-top-width border-right-width "
              + "border-bottom-width border-left-width border-top-style "
              + "border-right-style border-bottom-style border-left-style");
  private static final Set<String> COLOR_PROPERTIES =
      words(
          "color background-color border-color border-top-color "
              + "border-right-color border-bottom-color border-left-color "
              + "border-block-color border-inline-color outline-color "
              + "text-decoration-color text-emphasis-color column-rule-color fill "
              + "stroke caret-color accent-color stop-color flood-color lighting-color "
              + "scrollbar-color opacity fill-opacity stroke-opacity");
  private static final Set<String> SHORTHANDS_WITH_COLOR =
      words(
          "background border border-top border-right border-bottom border-left "
              + "border-block border-inline outline box-shadow text-shadow "
              + "text-decoration column-rule");
  private static final Set<String> COLOR_FUNCTIONS =
      words(
          "rgb rgba hsl hsla hwb lab lch oklab oklch color color-mix light-dark "
              + "linear-gradient radial-gradient conic-gradient "
              + "repeating-linear-gradient repeating-radial-gradient "
              + "repeating-conic-gradient");
  private static final Set<String> COLOR_KEYWORDS =
      words("transparent currentcolor inherit initial unset revert");
  private static final Set<String> INVISIBLE = words("none hidden transparent");
  private static final Set<String> LINE_STYLES =
      words("solid dashed dotted double groove ridge inset outset auto");
  private static final int MAX_VAR_DEPTH = 16;
  private static final int MAX_VAR_EXPANSION = 4096;
  private static final int MAX_ERRORS_SHOWN = 5;

  private CssChecks() {}

  private static Set<String> words(String spaceSeparated) {
    return Set.of(spaceSeparated.split(" "));
  }

  /** The safety rules over a stylesheet's (or a style attribute's) text and tokens. */
  static void safety(
      String text,
      List<CssToken> tokens,
      String file,
      boolean fromSvg,
      Set<String> bundleFiles,
      Findings findings) {
    String lower = text.toLowerCase(Locale.ROOT);
    if (lower.contains("</style") || lower.contains("<script")) {
      findings.add(
          Rules.SCRIPT,
          file,
          "'</style' or '<script' in the CSS (it could end a page's"
              + " style element and start a script)");
    }
    for (int i = 0; i < tokens.size(); i++) {
      CssToken token = tokens.get(i);
      String value = token.value().toLowerCase(Locale.ROOT);
      if (token.is(Kind.URL)) {
        References.check(token.value(), file, fromSvg, bundleFiles, findings);
      } else if (token.is(Kind.FUNCTION) && value.equals("expression")) {
        findings.add(Rules.SCRIPT, file, "line " + token.line() + ": expression() runs script");
      } else if (token.is(Kind.FUNCTION) && URL_FUNCTIONS.contains(value)) {
        for (CssToken argument : arguments(tokens, i)) {
          if (argument.is(Kind.STRING)) {
            References.check(argument.value(), file, fromSvg, bundleFiles, findings);
          }
        }
      } else if (token.is(Kind.IDENT)
          && (value.equals("-moz-binding") || value.equals("behavior"))
          && next(tokens, i).is(Kind.COLON)) {
        findings.add(
            Rules.SCRIPT,
            file,
            "line " + token.line() + ": the " + value + " property binds script to elements");
      } else if (token.is(Kind.AT_KEYWORD) && value.equals("import")) {
        CssToken target = next(tokens, i);
        if (target.is(Kind.STRING)) {
          References.check(target.value(), file, fromSvg, bundleFiles, findings);
        }
        findings.add(
            Rules.STYLESHEET,
            file,
            "line " + token.line() + ": @import is not accepted: a theme is one stylesheet");
      }
    }
  }

  /** The tokenizer's and the parser's errors, as one violation (the first few shown). */
  static void structure(List<String> errors, String file, Findings findings) {
    if (errors.isEmpty()) {
      return;
    }
    List<String> shown = errors.subList(0, Math.min(MAX_ERRORS_SHOWN, errors.size()));
    String more =
        errors.size() > shown.size() ? " (and " + (errors.size() - shown.size()) + " more)" : "";
    findings.add(
        Rules.STYLESHEET,
        file,
        "only custom properties and ordinary rules are accepted: "
            + String.join("; ", shown)
            + more);
  }

  /** Whether some :focus or :focus-visible rule sets a visible outline, shadow or border. */
  static boolean hasFocusIndicator(CssStylesheet sheet) {
    Map<String, List<CssToken>> custom = customProperties(sheet);
    for (Rule rule : sheet.rules()) {
      if (rule.special() || !namesPseudoClass(rule.selector(), FOCUS)) {
        continue;
      }
      for (Declaration declaration : rule.declarations()) {
        if (INDICATOR_PROPERTIES.contains(declaration.property())
            && visible(
                declaration.property(),
                resolve(declaration.value(), custom, 0, new int[] {MAX_VAR_EXPANSION}))) {
          return true;
        }
      }
    }
    return false;
  }

  /** A violation for every state rule that only changes colours. */
  static void colorOnlyStates(CssStylesheet sheet, String file, Findings findings) {
    Map<String, List<CssToken>> custom = customProperties(sheet);
    Map<String, Boolean> colorOnly = new HashMap<>();
    for (Rule rule : sheet.rules()) {
      if (rule.special() || rule.declarations().isEmpty()) {
        continue;
      }
      List<List<CssToken>> selectors = splitOnCommas(rule.selector());
      if (!selectors.stream().allMatch(CssChecks::namesState)) {
        continue;
      }
      if (rule.declarations().stream().allMatch(d -> changesOnlyColor(d, custom, colorOnly))) {
        List<String> properties = new ArrayList<>();
        rule.declarations().forEach(d -> properties.add(d.property()));
        findings.add(
            Rules.COLOR_ONLY_STATE,
            file,
            "line "
                + rule.line()
                + ": '"
                + rule.selectorText()
                + "' shows its state by colour"
                + " only ("
                + String.join(", ", properties)
                + "): also change something not a"
                + " colour, e.g. an underline, outline, border or font weight");
      }
    }
  }

  private static boolean namesState(List<CssToken> selector) {
    if (namesPseudoClass(selector, STATE_PSEUDO_CLASSES)) {
      return true;
    }
    for (int i = 0; i + 1 < selector.size(); i++) {
      if (selector.get(i).is(Kind.OPEN_BRACKET)) {
        CssToken attribute = nextNonSpace(selector, i);
        if (attribute.is(Kind.IDENT)
            && STATE_ATTRIBUTES.contains(attribute.value().toLowerCase(Locale.ROOT))) {
          return true;
        }
      }
    }
    return false;
  }

  /** A pseudo-class (one colon, not a pseudo-element's two) named in {@code names}. */
  private static boolean namesPseudoClass(List<CssToken> selector, Set<String> names) {
    for (int i = 0; i + 1 < selector.size(); i++) {
      boolean afterColon = i > 0 && selector.get(i - 1).is(Kind.COLON);
      CssToken name = selector.get(i + 1);
      if (selector.get(i).is(Kind.COLON)
          && !afterColon
          && name.is(Kind.IDENT)
          && names.contains(name.value().toLowerCase(Locale.ROOT))) {
        return true;
      }
    }
    return false;
  }

  private static boolean changesOnlyColor(
      Declaration declaration, Map<String, List<CssToken>> custom, Map<String, Boolean> colorOnly) {
    String property = declaration.property();
    if (COLOR_PROPERTIES.contains(property)) {
      return true;
    }
    if (SHORTHANDS_WITH_COLOR.contains(property) || property.startsWith("--")) {
      return onlyColors(declaration.value(), custom, colorOnly, 0);
    }
    return false;
  }

  /**
   * Whether the value is made only of colours (and commas, and !important). Each custom property
   * is judged once ({@code colorOnly}), so {@code var()}s referring to each other many times over
   * cost no more than the stylesheet's length.
   */
  private static boolean onlyColors(
      List<CssToken> value,
      Map<String, List<CssToken>> custom,
      Map<String, Boolean> colorOnly,
      int depth) {
    boolean any = false;
    for (int i = 0; i < value.size(); i++) {
      CssToken token = value.get(i);
      String lower = token.value().toLowerCase(Locale.ROOT);
      if (token.is(Kind.WHITESPACE) || token.is(Kind.COMMA)) {
        continue;
      }
      if (token.isDelim('!') && nextNonSpace(value, i).value().equalsIgnoreCase("important")) {
        i = nextNonSpaceIndex(value, i);
        continue;
      }
      if (token.is(Kind.HASH)
          || token.is(Kind.IDENT) && (NamedColors.is(lower) || COLOR_KEYWORDS.contains(lower))) {
        any = true;
      } else if (token.is(Kind.FUNCTION) && COLOR_FUNCTIONS.contains(lower)) {
        any = true;
        i = closingParen(value, i);
      } else if (token.is(Kind.FUNCTION) && lower.equals("var") && depth < MAX_VAR_DEPTH) {
        String name = nextNonSpace(value, i).value();
        Boolean known = colorOnly.get(name);
        if (known == null) {
          colorOnly.put(name, false); // a property referring to itself is no colour
          List<CssToken> referenced = custom.get(name);
          known = referenced != null && onlyColors(referenced, custom, colorOnly, depth + 1);
          colorOnly.put(name, known);
        }
        if (!known) {
          return false;
        }
        any = true;
        i = closingParen(value, i);
      } else {
        return false;
      }
    }
    return any;
  }

  /**
   * Whether an indicator's value shows: a shorthand ({@code outline: 2px solid}, {@code border})
   * and a style property need a line style, since their default style is none; none of them may
   * be {@code none}, {@code hidden} or {@code transparent}; lengths, if any, not all zero.
   */
  private static boolean visible(String property, List<CssToken> value) {
    boolean needsStyle = !property.equals("box-shadow") && !property.endsWith("-width");
    boolean styled = false;
    boolean anyLength = false;
    boolean nonZero = false;
    for (CssToken token : value) {
      styled |=
          token.is(Kind.IDENT) && LINE_STYLES.contains(token.value().toLowerCase(Locale.ROOT));
      if (token.is(Kind.IDENT) && INVISIBLE.contains(token.value().toLowerCase(Locale.ROOT))) {
        return false;
      }
      if (token.is(Kind.NUMBER) || token.is(Kind.DIMENSION) || token.is(Kind.PERCENTAGE)) {
        anyLength = true;
        nonZero |= !isZero(token.value());
      }
    }
    return !value.isEmpty() && (!needsStyle || styled) && (!anyLength || nonZero);
  }

  private static boolean isZero(String numberAndUnit) {
    int end = 0;
    while (end < numberAndUnit.length()
        && "+-.0123456789eE".indexOf(numberAndUnit.charAt(end)) >= 0) {
      end++;
    }
    // "1e" of "1em" is not an exponent: back off a trailing e/E
    while (end > 0 && "eE".indexOf(numberAndUnit.charAt(end - 1)) >= 0) {
      end--;
    }
    try {
      return new BigDecimal(numberAndUnit.substring(0, end)).signum() == 0;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * The value with each {@code var(--x[, fallback])} replaced by --x's value, or its fallback.
   * {@code budget} counts the tokens and substitutions left: custom properties referring to each
   * other many times over (CSS's billion laughs) stop expanding when it runs out.
   */
  private static List<CssToken> resolve(
      List<CssToken> value, Map<String, List<CssToken>> custom, int depth, int[] budget) {
    List<CssToken> out = new ArrayList<>();
    for (int i = 0; i < value.size() && budget[0] > 0; i++) {
      CssToken token = value.get(i);
      budget[0]--;
      if (!token.is(Kind.FUNCTION) || !token.value().equalsIgnoreCase("var")) {
        out.add(token);
        continue;
      }
      int close = closingParen(value, i);
      List<CssToken> referenced = custom.get(nextNonSpace(value, i).value());
      if (referenced == null) {
        // the fallback: what follows the first comma inside var( ... )
        List<CssToken> inside = value.subList(i + 1, Math.max(i + 1, close));
        int comma = -1;
        for (int k = 0; k < inside.size(); k++) {
          if (inside.get(k).is(Kind.COMMA)) {
            comma = k;
            break;
          }
        }
        referenced = comma < 0 ? List.of() : inside.subList(comma + 1, inside.size());
      }
      out.addAll(
          depth < MAX_VAR_DEPTH ? resolve(referenced, custom, depth + 1, budget) : referenced);
      i = close;
    }
    return out;
  }

  /** Each custom property's value, the first declaration of it winning. */
  private static Map<String, List<CssToken>> customProperties(CssStylesheet sheet) {
    Map<String, List<CssToken>> custom = new HashMap<>();
    for (Rule rule : sheet.rules()) {
      for (Declaration declaration : rule.declarations()) {
        if (declaration.property().startsWith("--")) {
          custom.putIfAbsent(declaration.property(), declaration.value());
        }
      }
    }
    return custom;
  }

  private static List<List<CssToken>> splitOnCommas(List<CssToken> selector) {
    List<List<CssToken>> parts = new ArrayList<>();
    List<CssToken> current = new ArrayList<>();
    int depth = 0;
    for (CssToken token : selector) {
      if (token.is(Kind.FUNCTION) || token.is(Kind.OPEN_PAREN)) {
        depth++;
      } else if (token.is(Kind.CLOSE_PAREN)) {
        depth--;
      }
      if (token.is(Kind.COMMA) && depth == 0) {
        parts.add(current);
        current = new ArrayList<>();
      } else {
        current.add(token);
      }
    }
    parts.add(current);
    return parts;
  }

  /** The tokens inside the function opened at {@code open}, up to its closing parenthesis. */
  private static List<CssToken> arguments(List<CssToken> tokens, int open) {
    return tokens.subList(open + 1, Math.max(open + 1, closingParen(tokens, open)));
  }

  /** The index of the parenthesis closing the function at {@code open} (or the last index). */
  private static int closingParen(List<CssToken> tokens, int open) {
    int depth = 1;
    for (int i = open + 1; i < tokens.size(); i++) {
      CssToken token = tokens.get(i);
      if (token.is(Kind.FUNCTION) || token.is(Kind.OPEN_PAREN)) {
        depth++;
      } else if (token.is(Kind.CLOSE_PAREN) && --depth == 0) {
        return i;
      }
    }
    return tokens.size() - 1;
  }

  private static final CssToken NONE = new CssToken(Kind.WHITESPACE, "", 0);

  private static CssToken next(List<CssToken> tokens, int i) {
    return nextNonSpace(tokens, i);
  }

  private static CssToken nextNonSpace(List<CssToken> tokens, int i) {
    int k = nextNonSpaceIndex(tokens, i);
    return k < tokens.size() ? tokens.get(k) : NONE;
  }

  /** The index of the first token after {@code i} that is not whitespace (or the size). */
  private static int nextNonSpaceIndex(List<CssToken> tokens, int i) {
    int k = i + 1;
    while (k < tokens.size() && tokens.get(k).is(Kind.WHITESPACE)) {
      k++;
    }
    return k;
  }
}
