package io.streamspace.billing.store.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.store.bundle.CssToken.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tokenizer reads CSS as a browser does, so the rules judge what a browser would run. */
class CssTokenizerTest {

  private static List<String> tokens(String css) {
    return CssTokenizer.tokenize(css).tokens().stream()
        .filter(t -> !t.is(Kind.WHITESPACE))
        .map(t -> t.kind() + ":" + t.value())
        .toList();
  }

  private static List<String> errors(String css) {
    return CssTokenizer.tokenize(css).errors();
  }

  @Test
  void escapesAreDecodedInNamesStringsAndUrls() {
    assertEquals(
        List.of("FUNCTION:expression", "IDENT:a", "CLOSE_PAREN:)"), tokens("\\65 xpression(a)"));
    assertEquals(List.of("STRING:javascript:"), tokens("'java\\73 cript:'"));
    assertEquals(List.of("URL:https://x"), tokens("u\\72 l(https\\3a //x)"));
  }

  @Test
  void commentsAreDroppedAndCannotHideAFunctionFromTheTokens() {
    assertEquals(
        List.of("IDENT:a", "FUNCTION:url", "STRING:x.png", "CLOSE_PAREN:)"),
        tokens("a/* url(http://hidden) */url( \"x.png\")"));
    assertEquals(List.of(), errors("a/* ok */"));
  }

  @Test
  void aCommentOrAStringNeverClosedIsAnErrorNotSilentlyAccepted() {
    assertEquals(List.of("line 1: a comment is never closed"), errors("a { /* b }"));
    assertEquals(List.of("line 2: a string runs onto a new line"), errors("a {\n content: 'b\n}"));
    assertEquals(List.of("line 1: a string is never closed"), errors("a { content: 'b"));
  }

  @Test
  void aBadUrlAndHtmlCommentMarkersAreErrors() {
    assertTrue(errors("a { background: url(x y.png) }").get(0).contains("url("));
    assertEquals(
        List.of(
            "line 1: an HTML comment marker (<!-- or -->)",
            "line 1: an HTML comment marker (<!-- or -->)"),
        errors("<!-- a{} -->"));
  }

  @Test
  void numbersDimensionsAndHashesAreTheirOwnTokens() {
    assertEquals(
        List.of("DIMENSION:2px", "NUMBER:0", "PERCENTAGE:-1.5", "HASH:fff", "DIMENSION:1e3em"),
        tokens("2px 0 -1.5% #fff 1e3em"));
  }
}
