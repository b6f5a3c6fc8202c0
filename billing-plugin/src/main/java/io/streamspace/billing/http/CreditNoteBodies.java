package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.oneOf;
import static io.streamspace.billing.http.Schema.string;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.creditnotes.CreditNoteRequest.LineCredit;
import io.streamspace.billing.creditnotes.CreditNoteRequest.Refund;
import io.streamspace.common.http.ApiException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of {@code POST /admin/invoices/{id}/credit-notes} ({@link CreditNoteRoutes}) and how
 * it is read: its shape is checked here (400 naming the field); what its amounts may be (above
 * zero, the currency's decimals, what a line still holds) is the service's to judge.
 */
final class CreditNoteBodies {

  /** What the body credits: per line, or one amount for the whole invoice (the other null). */
  record Credit(List<LineCredit> lines, BigDecimal amount) {}

  /** An amount as the body may give it. */
  private static Schema amountSchema(String description) {
    return oneOf(number(), string().pattern("^[0-9]+(\\.[0-9]+)?$"))
        .description(description + " A JSON number or a decimal string (\"12.50\"), above zero.");
  }

  static final Schema CREDIT_NOTE_CREATE =
      Schema.component(
          "CreditNoteCreate",
          object()
              .prop(
                  "lines",
                  array(
                          object()
                              .req("line", integer())
                              .req("amount", amountSchema("What to credit of the line.")))
                      .description(
                          """
                          What to credit of each line (line_no as on the invoice), as the lines \
                          are written (before tax when the invoice's tax is exclusive). Give \
                          lines or amount, one of them."""))
              .prop(
                  "amount",
                  amountSchema(
                      """
                      One amount for the whole invoice, spread over its lines in proportion to \
                      what each still holds, by largest remainder."""))
              .req("reason", string().maxLength(1000).description("why: kept with the note"))
              .req(
                  "refund",
                  string()
                      .enumOf("balance", "payment_method", "none")
                      .description(
                          """
                          How what lowers no amount due goes back (all of a paid invoice's \
                          note): onto the prepaid balance, through the payment at Stripe, or \
                          recorded only.""")));

  private CreditNoteBodies() {}

  /** Its {@code lines} or its {@code amount}: 400 naming {@code lines} for both or neither. */
  static Credit credit(JsonNode body) throws ApiException {
    if (body.has("lines") == body.has("amount")) {
      throw ApiException.badParameter("lines", "give lines or amount, one of them");
    }
    return body.has("lines")
        ? new Credit(lines(body.get("lines")), null)
        : new Credit(null, amount(body.get("amount"), "amount"));
  }

  /** Its {@code refund}: 400 naming it when missing or not one of the three. */
  static Refund refund(JsonNode body) throws ApiException {
    JsonNode given = body.get("refund");
    return Refund.named(given == null || !given.isTextual() ? null : given.asText())
        .orElseThrow(
            () ->
                ApiException.badParameter(
                    "refund", "refund is required: balance, payment_method or none"));
  }

  private static List<LineCredit> lines(JsonNode given) throws ApiException {
    if (!given.isArray()) {
      throw ApiException.badParameter("lines", "lines must be an array of {\"line\",\"amount\"}");
    }
    List<LineCredit> lines = new ArrayList<>();
    for (int i = 0; i < given.size(); i++) {
      JsonNode line = given.get(i);
      String field = "lines[" + i + "]";
      JsonNode number = line.get("line");
      if (number == null || !number.canConvertToInt() || !number.isIntegralNumber()) {
        throw ApiException.badParameter(field + ".line", field + ".line must be a line number");
      }
      lines.add(new LineCredit(number.intValue(), amount(line.get("amount"), field + ".amount")));
    }
    return lines;
  }

  /** A JSON number or a decimal string; its sign and decimals are the service's to judge. */
  private static BigDecimal amount(JsonNode value, String field) throws ApiException {
    if (value != null && value.isNumber()) {
      return value.decimalValue();
    }
    if (value != null && value.isTextual() && value.asText().matches("[0-9]{1,15}(\\.[0-9]+)?")) {
      return new BigDecimal(value.asText());
    }
    throw ApiException.badParameter(field, field + " is required: a number, or a decimal string");
  }
}
