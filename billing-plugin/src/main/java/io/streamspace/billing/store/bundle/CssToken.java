package io.streamspace.billing.store.bundle;

/**
 * One token of a stylesheet (CSS Syntax Level 3, simplified): {@code value} is the decoded text
 * (escapes resolved, so {@code \65 xpression} is {@code expression}); for a {@code FUNCTION} the
 * name without its parenthesis, for a {@code DIMENSION} the number and unit together.
 */
record CssToken(Kind kind, String value, int line) {

  enum Kind {
    IDENT,
    FUNCTION,
    AT_KEYWORD,
    HASH,
    STRING,
    URL,
    NUMBER,
    PERCENTAGE,
    DIMENSION,
    WHITESPACE,
    COLON,
    SEMICOLON,
    COMMA,
    OPEN_PAREN,
    CLOSE_PAREN,
    OPEN_BRACKET,
    CLOSE_BRACKET,
    OPEN_BRACE,
    CLOSE_BRACE,
    DELIM
  }

  boolean is(Kind expected) {
    return kind == expected;
  }

  boolean isDelim(char c) {
    return kind == Kind.DELIM && value.equals(String.valueOf(c));
  }

  /** The token as it would be written back (decoded), for sentences and selector text. */
  String text() {
    return switch (kind) {
      case FUNCTION -> value + "(";
      case AT_KEYWORD -> "@" + value;
      case HASH -> "#" + value;
      case STRING -> "\"" + value + "\"";
      case URL -> "url(" + value + ")";
      case PERCENTAGE -> value + "%";
      default -> value;
    };
  }
}
