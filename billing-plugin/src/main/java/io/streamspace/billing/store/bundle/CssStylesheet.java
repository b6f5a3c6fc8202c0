package io.streamspace.billing.store.bundle;

import io.streamspace.billing.store.bundle.CssToken.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A stylesheet parsed into the shape a theme may have, and the errors where it has another:
 *
 * <ul>
 *   <li>ordinary rules: a selector and a block of declarations ({@code property: value}, the
 *       property a custom property {@code --name} or a lower-case CSS name);
 *   <li>the grouping rules {@code @media}, {@code @supports}, {@code @layer} and {@code
 *       @container} holding ordinary rules, nested at most 3 deep;
 *   <li>{@code @font-face} (declarations) and {@code @keyframes} (keyframe rules);
 *   <li>the statements {@code @charset} and {@code @layer a, b;} ({@code @import} is parsed, and
 *       refused by the checks with its own reason).
 * </ul>
 *
 * Anything else is an error: other at-rules ({@code @namespace}, {@code @-moz-document}, ...),
 * nested rules inside a declaration block (CSS nesting), a block inside a value, a declaration
 * with no colon, a block never closed, a stray brace.
 */
final class CssStylesheet {

  /** A declaration: the property (lower case unless custom) and its value, whitespace-trimmed. */
  record Declaration(String property, List<CssToken> value, int line) {}

  /**
   * A rule with declarations: its selector tokens ({@code @font-face} has none), its
   * declarations, and whether it sits in {@code @keyframes} or is {@code @font-face} (neither is
   * about states or focus).
   */
  record Rule(List<CssToken> selector, List<Declaration> declarations, int line, boolean special) {

    /** The selector as written (decoded), for sentences. */
    String selectorText() {
      StringBuilder out = new StringBuilder();
      for (CssToken token : selector) {
        out.append(token.text());
      }
      return out.toString().trim();
    }
  }

  /** An at-rule's name (lower case) and its prelude. */
  record AtRule(String name, List<CssToken> prelude, int line) {}

  private static final Set<String> GROUPING = Set.of("media", "supports", "layer", "container");
  private static final Set<String> KEYFRAMES = Set.of("keyframes", "-webkit-keyframes");
  private static final Set<String> STATEMENTS = Set.of("charset", "layer", "import");
  private static final Pattern PROPERTY = Pattern.compile("-?[a-z][a-z0-9-]*");
  private static final int MAX_NESTING = 3;

  private final List<CssToken> tokens;
  private final List<Rule> rules = new ArrayList<>();
  private final List<AtRule> atRules = new ArrayList<>();
  private final List<String> errors = new ArrayList<>();
  private int pos;

  private CssStylesheet(List<CssToken> tokens) {
    this.tokens = tokens;
  }

  static CssStylesheet parse(List<CssToken> tokens) {
    CssStylesheet sheet = new CssStylesheet(tokens);
    sheet.rules(false, 0, false);
    return sheet;
  }

  List<Rule> rules() {
    return rules;
  }

  List<AtRule> atRules() {
    return atRules;
  }

  List<String> errors() {
    return errors;
  }

  private void rules(boolean nested, int depth, boolean inKeyframes) {
    while (true) {
      skipWhitespace();
      if (pos >= tokens.size()) {
        if (nested) {
          error("a block is never closed");
        }
        return;
      }
      CssToken token = tokens.get(pos);
      if (token.is(Kind.CLOSE_BRACE)) {
        pos++;
        if (nested) {
          return;
        }
        error(token, "a '}' closes nothing");
      } else if (token.is(Kind.SEMICOLON)) {
        pos++;
        error(token, "a stray ';' between rules");
      } else if (token.is(Kind.AT_KEYWORD)) {
        atRule(depth);
      } else {
        qualifiedRule(inKeyframes);
      }
    }
  }

  private void atRule(int depth) {
    CssToken at = tokens.get(pos++);
    String name = at.value().toLowerCase(Locale.ROOT);
    List<CssToken> prelude = collect(false);
    atRules.add(new AtRule(name, trim(prelude), at.line()));
    if (pos >= tokens.size() || !tokens.get(pos).is(Kind.OPEN_BRACE)) {
      if (pos < tokens.size() && tokens.get(pos).is(Kind.SEMICOLON)) {
        pos++;
      }
      if (!STATEMENTS.contains(name)) {
        error(at, "@" + name + " is not accepted");
      }
      return;
    }
    pos++; // {
    if (GROUPING.contains(name)) {
      if (depth >= MAX_NESTING) {
        error(at, "@" + name + " nested more than " + MAX_NESTING + " deep");
        skipBlock();
      } else {
        rules(true, depth + 1, false);
      }
    } else if (KEYFRAMES.contains(name)) {
      rules(true, depth + 1, true);
    } else if (name.equals("font-face")) {
      rules.add(new Rule(List.of(), declarations(), at.line(), true));
    } else {
      error(at, "@" + name + " is not accepted");
      skipBlock();
    }
  }

  private void qualifiedRule(boolean inKeyframes) {
    CssToken first = tokens.get(pos);
    List<CssToken> selector = collect(false);
    if (pos >= tokens.size() || !tokens.get(pos).is(Kind.OPEN_BRACE)) {
      error(first, "a selector with no block");
      if (pos < tokens.size() && tokens.get(pos).is(Kind.SEMICOLON)) {
        pos++;
      }
      return;
    }
    pos++; // {
    rules.add(new Rule(trim(selector), declarations(), first.line(), inKeyframes));
  }

  private List<Declaration> declarations() {
    List<Declaration> declarations = new ArrayList<>();
    while (true) {
      skipWhitespace();
      if (pos >= tokens.size()) {
        error("a block is never closed");
        return declarations;
      }
      CssToken token = tokens.get(pos);
      if (token.is(Kind.CLOSE_BRACE)) {
        pos++;
        return declarations;
      }
      if (token.is(Kind.SEMICOLON)) {
        pos++;
        continue;
      }
      if (!token.is(Kind.IDENT)) {
        error(
            token,
            "expected a property, found '"
                + token.text()
                + "' (nested rules are not"
                + " accepted)");
        skipDeclaration();
        continue;
      }
      pos++;
      skipWhitespace();
      if (pos >= tokens.size() || !tokens.get(pos).is(Kind.COLON)) {
        error(token, "expected ':' after '" + token.value() + "' (nested rules are not accepted)");
        skipDeclaration();
        continue;
      }
      pos++;
      String property =
          token.value().startsWith("--") ? token.value() : token.value().toLowerCase(Locale.ROOT);
      if (!property.startsWith("--") && !PROPERTY.matcher(property).matches()) {
        error(token, "'" + property + "' is not a CSS property name");
      }
      List<CssToken> value = collect(true);
      declarations.add(new Declaration(property, trim(value), token.line()));
      if (pos < tokens.size() && tokens.get(pos).is(Kind.SEMICOLON)) {
        pos++;
      }
    }
  }

  /**
   * The tokens up to the next '{' (or ';', or an unmatched '}') outside parentheses and brackets;
   * in a value a '{' is an error and its block is skipped.
   */
  private List<CssToken> collect(boolean value) {
    List<CssToken> out = new ArrayList<>();
    int depth = 0;
    while (pos < tokens.size()) {
      CssToken token = tokens.get(pos);
      if (depth == 0
          && (token.is(Kind.SEMICOLON)
              || token.is(Kind.CLOSE_BRACE)
              || token.is(Kind.OPEN_BRACE))) {
        if (token.is(Kind.OPEN_BRACE) && value) {
          error(token, "a block inside a declaration's value");
          pos++;
          skipBlock();
          continue;
        }
        return out;
      }
      if (token.is(Kind.FUNCTION) || token.is(Kind.OPEN_PAREN) || token.is(Kind.OPEN_BRACKET)) {
        depth++;
      } else if (token.is(Kind.CLOSE_PAREN) || token.is(Kind.CLOSE_BRACKET)) {
        depth = Math.max(0, depth - 1);
      }
      out.add(token);
      pos++;
    }
    return out;
  }

  /** Past the end of a declaration: its ';', or up to (not past) the '}' that ends its block. */
  private void skipDeclaration() {
    while (pos < tokens.size()) {
      CssToken token = tokens.get(pos);
      if (token.is(Kind.SEMICOLON)) {
        pos++;
        return;
      }
      if (token.is(Kind.CLOSE_BRACE)) {
        return;
      }
      pos++;
      if (token.is(Kind.OPEN_BRACE)) {
        skipBlock();
      }
    }
  }

  /** Past the '}' that closes the block just opened. */
  private void skipBlock() {
    int depth = 1;
    while (pos < tokens.size() && depth > 0) {
      CssToken token = tokens.get(pos++);
      if (token.is(Kind.OPEN_BRACE)) {
        depth++;
      } else if (token.is(Kind.CLOSE_BRACE)) {
        depth--;
      }
    }
    if (depth > 0) {
      error("a block is never closed");
    }
  }

  private void skipWhitespace() {
    while (pos < tokens.size() && tokens.get(pos).is(Kind.WHITESPACE)) {
      pos++;
    }
  }

  private static List<CssToken> trim(List<CssToken> list) {
    int from = 0;
    int to = list.size();
    while (from < to && list.get(from).is(Kind.WHITESPACE)) {
      from++;
    }
    while (to > from && list.get(to - 1).is(Kind.WHITESPACE)) {
      to--;
    }
    return List.copyOf(list.subList(from, to));
  }

  private void error(CssToken at, String what) {
    errors.add("line " + at.line() + ": " + what);
  }

  private void error(String what) {
    errors.add(what);
  }
}
