package io.streamspace.billing.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The rule that keeps a CSV cell from being read as a formula ({@link ReportFormat#inert}): what
 * a spreadsheet would run, or would run once it skipped what comes first, gets a leading
 * apostrophe; anything else is written as it is. Each row: a name for the case, the cell as
 * Java escapes write it, and whether it is escaped.
 */
class CsvCellEscapingTest {

  @ParameterizedTest(name = "{0}: {1} escaped {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "equals sign                 | =HYPERLINK(\"x\")      | true",
        "plus sign                   | +1+1                   | true",
        "minus sign                  | -1+1                   | true",
        "at sign                     | @SUM(A1)               | true",
        "tab                         | \\t=1+1                | true",
        "carriage return             | \\r=1+1                | true",
        "line feed                   | \\n=1+1                | true",
        "leading space               | ' =1+1'                | true",
        "leading space alone         | ' ann'                 | true",
        "no-break space              | \\u00A0=1+1            | true",
        "ideographic space           | \\u3000=1+1            | true",
        "full-width equals           | \\uFF1D1+1             | true",
        "full-width plus             | \\uFF0B1+1             | true",
        "full-width minus            | \\uFF0D1+1             | true",
        "full-width at               | \\uFF20SUM(A1)         | true",
        "small equals                | \\uFE661+1             | true",
        "zero-width space            | \\u200B=1+1            | true",
        "zero-width joiner           | \\u200D=1+1            | true",
        "byte order mark             | \\uFEFF=1+1            | true",
        "pipe before a formula       | '|=cmd'                 | true",
        "pipe (DDE)                  | '|cmd /C calc'          | true",
        "semicolon                   | ;=cmd                  | true",
        "semicolon alone             | ;ann                   | true",
        "full-width semicolon        | \\uFF1B=1+1            | true",
        "small semicolon             | \\uFE54=1+1            | true",
        "an id with an inner ;       | a;b                    | false",
        "a plain id                  | ann                    | false",
        "an id with an inner equals  | a=b                    | false",
        "an id with an inner space   | ann smith              | false",
        "a currency                  | USD                    | false",
        "a unit                      | GB-month               | false",
        "digits                      | 42                     | false",
        "a letter outside ASCII      | Ünal                   | false",
        "empty                       | ''                     | false"
      })
  void aCellStartingLikeAFormula_orWithWhatASpreadsheetSkipsBeforeOne_isWrittenAsText(
      String name, String escapedCell, boolean escaped) {
    String cell = unescape(escapedCell);

    assertEquals(escaped ? "'" + cell : cell, ReportFormat.inert(cell), name);
  }

  /** The table's cells with {@code \t}, {@code \r}, {@code \n} and {@code \}{@code uXXXX} read. */
  private static String unescape(String text) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char next = text.charAt(++i);
      switch (next) {
        case 't' -> out.append('\t');
        case 'r' -> out.append('\r');
        case 'n' -> out.append('\n');
        case 'u' -> {
          out.append((char) Integer.parseInt(text.substring(i + 1, i + 5), 16));
          i += 4;
        }
        default -> out.append(next);
      }
    }
    return out.toString();
  }
}
