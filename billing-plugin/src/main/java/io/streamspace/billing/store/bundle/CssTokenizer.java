package io.streamspace.billing.store.bundle;

import io.streamspace.billing.store.bundle.CssToken.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a stylesheet into {@link CssToken}s the way a browser does (CSS Syntax Level 3, §4):
 * comments dropped, strings and escapes decoded, {@code url(...)} read as one token. Rules are
 * then judged on tokens, never on raw text, so a comment, an escape or a string cannot hide a
 * {@code url(}, {@code expression(} or {@code javascript:} from them. What a browser would
 * recover from (an unclosed comment or string, a newline in a string, a bad {@code url(}, a
 * stray backslash, a NUL) is recorded as an error instead: such a stylesheet is refused.
 */
final class CssTokenizer {

  private final String css;
  private final List<CssToken> tokens = new ArrayList<>();
  private final List<String> errors = new ArrayList<>();
  private int pos;
  private int line = 1;

  private CssTokenizer(String css) {
    this.css = css;
  }

  /** The tokens of a stylesheet and the errors met on the way. */
  record Result(List<CssToken> tokens, List<String> errors) {}

  static Result tokenize(String css) {
    CssTokenizer tokenizer = new CssTokenizer(css);
    tokenizer.run();
    return new Result(List.copyOf(tokenizer.tokens), List.copyOf(tokenizer.errors));
  }

  private void run() {
    while (pos < css.length()) {
      int start = line;
      char c = css.charAt(pos);
      if (c == '/' && peek(1) == '*') {
        int end = css.indexOf("*/", pos + 2);
        if (end < 0) {
          error("a comment is never closed");
          advanceTo(css.length());
        } else {
          advanceTo(end + 2);
        }
      } else if (isWhitespace(c)) {
        while (pos < css.length() && isWhitespace(css.charAt(pos))) {
          advance();
        }
        add(Kind.WHITESPACE, " ", start);
      } else if (c == '"' || c == '\'') {
        add(Kind.STRING, string(c), start);
      } else if (c == '#') {
        if (isNameChar(peek(1)) || isValidEscape(pos + 1)) {
          advance();
          add(Kind.HASH, name(), start);
        } else {
          advance();
          add(Kind.DELIM, "#", start);
        }
      } else if (css.startsWith("<!--", pos) || css.startsWith("-->", pos)) {
        // before identifiers: "-->" would otherwise read as the name "--" and a ">"
        error("an HTML comment marker (<!-- or -->)");
        advanceTo(pos + (c == '<' ? 4 : 3));
      } else if (startsNumber(pos)) {
        numeric(start);
      } else if (startsIdent(pos)) {
        identLike(start);
      } else if (c == '@') {
        advance();
        if (startsIdent(pos)) {
          add(Kind.AT_KEYWORD, name(), start);
        } else {
          add(Kind.DELIM, "@", start);
        }
      } else if (c == '\\') {
        error("a backslash that escapes nothing");
        advance();
      } else if (c == 0) {
        error("a NUL character");
        advance();
      } else {
        advance();
        add(single(c), String.valueOf(c), start);
      }
    }
  }

  private static Kind single(char c) {
    return switch (c) {
      case ':' -> Kind.COLON;
      case ';' -> Kind.SEMICOLON;
      case ',' -> Kind.COMMA;
      case '(' -> Kind.OPEN_PAREN;
      case ')' -> Kind.CLOSE_PAREN;
      case '[' -> Kind.OPEN_BRACKET;
      case ']' -> Kind.CLOSE_BRACKET;
      case '{' -> Kind.OPEN_BRACE;
      case '}' -> Kind.CLOSE_BRACE;
      default -> Kind.DELIM;
    };
  }

  private String string(char quote) {
    advance();
    StringBuilder out = new StringBuilder();
    while (pos < css.length()) {
      char c = css.charAt(pos);
      if (c == quote) {
        advance();
        return out.toString();
      }
      if (c == '\n' || c == '\r' || c == '\f') {
        error("a string runs onto a new line");
        return out.toString();
      }
      if (c == '\\') {
        char next = peek(1);
        if (next == '\n' || next == '\r' || next == '\f') {
          advanceTo(pos + 2); // a continued line
          continue;
        }
        if (pos + 1 >= css.length()) {
          advance();
          continue;
        }
        out.appendCodePoint(escape());
        continue;
      }
      out.append(c);
      advance();
    }
    error("a string is never closed");
    return out.toString();
  }

  private void numeric(int start) {
    int from = pos;
    if (css.charAt(pos) == '+' || css.charAt(pos) == '-') {
      advance();
    }
    while (pos < css.length() && isDigit(css.charAt(pos))) {
      advance();
    }
    if (peek(0) == '.' && isDigit(peek(1))) {
      advance();
      while (pos < css.length() && isDigit(css.charAt(pos))) {
        advance();
      }
    }
    if ((peek(0) == 'e' || peek(0) == 'E')
        && (isDigit(peek(1)) || (peek(1) == '+' || peek(1) == '-') && isDigit(peek(2)))) {
      advanceTo(pos + 2);
      while (pos < css.length() && isDigit(css.charAt(pos))) {
        advance();
      }
    }
    String number = css.substring(from, pos);
    if (startsIdent(pos)) {
      add(Kind.DIMENSION, number + name(), start);
    } else if (peek(0) == '%') {
      advance();
      add(Kind.PERCENTAGE, number, start);
    } else {
      add(Kind.NUMBER, number, start);
    }
  }

  private void identLike(int start) {
    String name = name();
    if (peek(0) != '(') {
      add(Kind.IDENT, name, start);
      return;
    }
    advance();
    if (!name.equalsIgnoreCase("url")) {
      add(Kind.FUNCTION, name, start);
      return;
    }
    int save = pos;
    while (pos < css.length() && isWhitespace(css.charAt(pos))) {
      advance();
    }
    if (peek(0) == '"' || peek(0) == '\'') {
      // url("...") is a function with a string argument, as the spec reads it
      pos = save;
      add(Kind.FUNCTION, name, start);
      return;
    }
    add(Kind.URL, unquotedUrl(), start);
  }

  private String unquotedUrl() {
    StringBuilder out = new StringBuilder();
    while (pos < css.length()) {
      char c = css.charAt(pos);
      if (c == ')') {
        advance();
        return out.toString();
      }
      if (isWhitespace(c)) {
        while (pos < css.length() && isWhitespace(css.charAt(pos))) {
          advance();
        }
        if (peek(0) == ')') {
          advance();
          return out.toString();
        }
        error("a url( with a space inside");
        return skipBadUrl(out);
      }
      if (c == '"' || c == '\'' || c == '(' || c < 0x20 || c == 0x7f) {
        error("a url( with a quote, parenthesis or control character inside");
        return skipBadUrl(out);
      }
      if (c == '\\') {
        if (isValidEscape(pos)) {
          out.appendCodePoint(escape());
          continue;
        }
        error("a url( with a bad escape");
        return skipBadUrl(out);
      }
      out.append(c);
      advance();
    }
    error("a url( is never closed");
    return out.toString();
  }

  private String skipBadUrl(StringBuilder soFar) {
    while (pos < css.length() && css.charAt(pos) != ')') {
      if (isValidEscape(pos)) {
        soFar.appendCodePoint(escape());
      } else {
        soFar.append(css.charAt(pos));
        advance();
      }
    }
    advance();
    return soFar.toString();
  }

  /** A name (identifier characters and escapes), decoded. */
  private String name() {
    StringBuilder out = new StringBuilder();
    while (pos < css.length()) {
      char c = css.charAt(pos);
      if (isNameChar(c)) {
        out.append(c);
        advance();
      } else if (isValidEscape(pos)) {
        out.appendCodePoint(escape());
      } else {
        break;
      }
    }
    return out.toString();
  }

  /** At a backslash: the escaped code point; up to 6 hex digits and one whitespace after them. */
  private int escape() {
    advance(); // the backslash
    if (pos >= css.length()) {
      return 0xFFFD;
    }
    char c = css.charAt(pos);
    if (!isHex(c)) {
      advance();
      if (Character.isHighSurrogate(c) && pos < css.length()) {
        char low = css.charAt(pos);
        advance();
        return Character.toCodePoint(c, low);
      }
      return c;
    }
    int value = 0;
    int digits = 0;
    while (digits < 6 && pos < css.length() && isHex(css.charAt(pos))) {
      value = value * 16 + Character.digit(css.charAt(pos), 16);
      advance();
      digits++;
    }
    if (pos < css.length() && isWhitespace(css.charAt(pos))) {
      if (css.charAt(pos) == '\r' && peek(1) == '\n') {
        advance();
      }
      advance();
    }
    if (value == 0 || value > 0x10FFFF || value >= 0xD800 && value <= 0xDFFF) {
      return 0xFFFD;
    }
    return value;
  }

  private boolean startsNumber(int at) {
    char c = charAt(at);
    if (c == '+' || c == '-') {
      return isDigit(charAt(at + 1)) || charAt(at + 1) == '.' && isDigit(charAt(at + 2));
    }
    if (c == '.') {
      return isDigit(charAt(at + 1));
    }
    return isDigit(c);
  }

  private boolean startsIdent(int at) {
    char c = charAt(at);
    if (c == '-') {
      char next = charAt(at + 1);
      return isNameStart(next) || next == '-' || isValidEscape(at + 1);
    }
    return isNameStart(c) || isValidEscape(at);
  }

  private boolean isValidEscape(int at) {
    char next = charAt(at + 1);
    return charAt(at) == '\\'
        && at + 1 < css.length()
        && next != '\n'
        && next != '\r'
        && next != '\f';
  }

  private static boolean isNameStart(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80;
  }

  private static boolean isNameChar(char c) {
    return isNameStart(c) || isDigit(c) || c == '-';
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isHex(char c) {
    return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
  }

  private static boolean isWhitespace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
  }

  private char peek(int ahead) {
    return charAt(pos + ahead);
  }

  private char charAt(int at) {
    return at < css.length() ? css.charAt(at) : 0;
  }

  private void advance() {
    if (pos < css.length() && css.charAt(pos) == '\n') {
      line++;
    }
    pos++;
  }

  private void advanceTo(int target) {
    while (pos < target) {
      advance();
    }
  }

  private void add(Kind kind, String value, int start) {
    tokens.add(new CssToken(kind, value, start));
  }

  private void error(String what) {
    errors.add("line " + line + ": " + what);
  }
}
