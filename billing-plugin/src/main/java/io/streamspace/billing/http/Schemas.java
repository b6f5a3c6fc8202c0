package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.allOf;
import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.bool;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

/**
 * The schemas more than one class of routes answers or reads (and the error body every refusal
 * has), each a component of the API description. A schema only one class uses is declared
 * there.
 */
public final class Schemas {

  private Schemas() {}

  static final Schema ERROR =
      Schema.component(
          "Error",
          object()
              .req(
                  "error",
                  object()
                      .additionalProperties(true)
                      .description(
                          """
                          `field` names the parameter or member at fault on a 400; a 409 may add \
                          members (e.g. `invoice_id` for `invoice_exists`).""")
                      .req("code", string())
                      .req("message", string())
                      .prop("field", string())));

  static final Schema INVOICE_LINE =
      Schema.component(
          "InvoiceLine",
          object()
              .req("line_no", integer())
              .req(
                  "kind",
                  string()
                      .enumOf(
                          "plan_fee",
                          "usage",
                          "overage",
                          "pack",
                          "credit",
                          "store",
                          "prepaid",
                          "correction",
                          "discount")
                      .description(
                          """
                          correction: what a usage correction made a line of an earlier, \
                          finalized invoice cost more (docs/correcting-usage-and-invoices.md); \
                          discount: what a redeemed coupon takes off one line, negative \
                          (docs/changing-prices.md)"""))
              .req(
                  "description",
                  string()
                      .description(
                          """
                          What the line is for. A seat line is an overage line of resource_type \
                          members, unit seat-months: the seats held beyond the plan's included \
                          ones, prorated to the second per billing period (price × seat-seconds / \
                          seconds of the period), described `members`, or `members over hard \
                          limit` for seats the platform added past a hard limit (billed all the \
                          same: flagged by its description)"""))
              .req("resource_type", string().orNull())
              .req("quantity", number().orNull())
              .req("unit", string().orNull())
              .req("unit_price", number().orNull())
              .req("amount", number())
              .req("period_start", string().orNull().format("date-time"))
              .req("period_end", string().orNull().format("date-time"))
              .prop(
                  "activity",
                  string()
                      .description(
                          """
                          idle or disconnected on a usage line of time priced at its \
                          activityRates factor, a line of its own named with its factor (CPU, \
                          idle (× 0.5)); hibernated on one of a hibernated session's time, at \
                          nothing (CPU, hibernated); absent on any other line"""))
              .prop(
                  "saved",
                  number()
                      .description(
                          """
                          Such a line's saving: what its time would have cost at the full price \
                          less its amount, rounded once"""))
              .prop(
                  "discounts_line",
                  integer()
                      .description(
                          """
                          On a discount line (a coupon's, negative, before tax): the number of \
                          the line it takes something off; absent on any other line""")));

  static final Schema INVOICE_MEMBER_AMOUNT =
      Schema.component(
          "InvoiceMemberAmount",
          object()
              .req("user_id", string().description("The member: the user who ran the sessions."))
              .req(
                  "usage",
                  array(
                          object()
                              .req("line_no", integer().description("The line's line_no in lines."))
                              .req(
                                  "quantity",
                                  number()
                                      .description(
                                          "The member's part of the line's quantity, in its unit."))
                              .req(
                                  "amount",
                                  number()
                                      .description(
                                          """
                                          The member's part of the line's amount, in the \
                                          currency's minor unit.""")))
                      .description("The member's part of each line their sessions made."))
              .req("amount", number().description("The sum of the member's parts.")));

  static final Schema INVOICE_SUMMARY =
      Schema.component(
          "InvoiceSummary",
          object()
              .req("id", integer())
              .req("invoice_number", string().orNull())
              .req("period_start", string().format("date-time"))
              .req("period_end", string().format("date-time"))
              .req("status", string().enumOf("draft", "sent", "paid", "overdue", "void"))
              .req("currency", string())
              .req("subtotal", number())
              .req(
                  "credits_applied",
                  number()
                      .description(
                          """
                          Credits applied at finalization, against the total with tax (like a \
                          customer balance), never more than it."""))
              .req(
                  "balance_applied",
                  number()
                      .description(
                          """
                          What the organization's prepaid balance paid at finalization, after \
                          the credits: what they left, at most the balance available then \
                          (GET /balance)."""))
              .req(
                  "total",
                  number()
                      .description(
                          """
                          What is due: total_including_tax less credits_applied and \
                          balance_applied (without a calculated tax: subtotal less them)."""))
              .req(
                  "credited",
                  number()
                      .description(
                          """
                          What its credit notes gave back, tax included (0 without any): \
                          total is never changed by them."""))
              .req(
                  "amount_due",
                  number()
                      .description(
                          """
                          What is still to be paid of it (what collection charges): total less \
                          what its credit notes took off it while it was unpaid; 0 once paid or \
                          void, total for a draft."""))
              .req("due_date", string().orNull().format("date-time"))
              .req("paid_at", string().orNull().format("date-time"))
              .prop(
                  "final",
                  bool()
                      .constant(true)
                      .description(
                          """
                          Present, true, on a closed organization's final invoice: the one ending \
                          at its closing (org.deleted), from the start of the billing period \
                          holding it, made within 15 minutes of the deletion being stored \
                          (finalize-invoices) and finalized after invoiceGraceMinutes. No invoice \
                          comes after it."""))
              .req(
                  "tax",
                  number()
                      .orNull()
                      .description(
                          """
                          The tax Stripe Tax calculated (stripeTax), at the currency's decimals; \
                          null unless tax_status is calculated: the plugin never invents a rate. A \
                          draft shows its last calculation, which finalization uses only if the \
                          lines still hash the same."""))
              .req(
                  "total_excluding_tax",
                  number()
                      .orNull()
                      .description(
                          """
                          What the lines come to without tax: the subtotal (taxBehavior \
                          exclusive), or the subtotal less the tax (inclusive). Null unless the \
                          tax is calculated and the invoice finalized."""))
              .req(
                  "total_including_tax",
                  number()
                      .orNull()
                      .description(
                          """
                          What the lines come to with tax, before credits: the subtotal plus the \
                          tax (exclusive), or the subtotal (inclusive). Null unless the tax is \
                          calculated and the invoice finalized."""))
              .req(
                  "tax_status",
                  string()
                      .enumOf("calculated", "not_calculated", "failed")
                      .description(
                          """
                          calculated: by Stripe Tax; not_calculated: no stripeTax ("Tax not \
                          calculated" on the PDF and CSV); failed: a draft whose calculation \
                          failed (tax_failure says why): it stays a draft and the next \
                          finalize-invoices run calculates it again."""))
              .prop(
                  "tax_failure",
                  string()
                      .description(
                          """
                          Only with tax_status failed: why the tax could not be calculated (no \
                          billing address, no Stripe key, Stripe's error).""")));

  static final Schema INVOICE_TAX_LINE =
      Schema.component(
          "InvoiceTaxLine",
          object()
              .description(
                  """
                  A line's tax in one jurisdiction, as Stripe Tax calculated it (a row of the line \
                  item's tax_breakdown).""")
              .req(
                  "line_no",
                  integer()
                      .description(
                          """
                          The invoice line taxed (the calculation's line item reference)."""))
              .req("amount", number().description("The tax, at the currency's decimals."))
              .req("taxable_amount", number())
              .req(
                  "percentage",
                  number().orNull().description("The rate as Stripe gives it: 7.25 for 7.25 %."))
              .req("country", string().orNull())
              .req("state", string().orNull())
              .req(
                  "jurisdiction",
                  string().orNull().description("The jurisdiction's display name (California)."))
              .req(
                  "level",
                  string().orNull().description("country, state, county, city or district."))
              .req("tax_type", string().orNull().description("sales_tax, vat, gst..."))
              .req(
                  "taxability_reason",
                  string()
                      .orNull()
                      .description("Stripe's: standard_rated, reverse_charge, not_collecting..."))
              .req(
                  "reverse_charge",
                  bool()
                      .description(
                          """
                          taxability_reason reverse_charge: the customer accounts for the tax (0 \
                          charged).""")));

  static final Schema CREDIT_NOTE =
      Schema.component(
          "CreditNote",
          object()
              .description(
                  """
                  Money given back on a finalized invoice, by line, under its own gapless number \
                  (POST /admin/invoices/{id}/credit-notes). Amounts at the currency's decimals.""")
              .req("id", integer())
              .req("credit_note_number", string().description("CN-2026-000001"))
              .req("invoice_id", integer())
              .req("invoice_number", string())
              .req("org_id", string())
              .req("currency", string())
              .req(
                  "amount",
                  number()
                      .description(
                          """
                          What it credits of the lines, as they are written (before tax when the \
                          tax is exclusive, tax included when inclusive)."""))
              .req(
                  "tax",
                  number()
                      .description(
                          """
                          The lines' tax it reverses, each line's in proportion to what it \
                          credits of the line; 0 without calculated tax."""))
              .req(
                  "total",
                  number().description("What it gives back: amount + tax (exclusive), amount."))
              .req(
                  "amount_due_lowered",
                  number()
                      .description(
                          """
                          The part of total that lowered the invoice's amount due (an unpaid \
                          invoice); the rest went back as refund says."""))
              .req("refund", string().enumOf("balance", "payment_method", "none"))
              .req("reason", string())
              .req(
                  "lines",
                  array(
                      object()
                          .req("line_no", integer())
                          .req("description", string())
                          .req("amount", number())
                          .req("tax", number())))
              .req("created_at", string().format("date-time"))
              .req(
                  "stripe_status",
                  string()
                      .enumOf("none", "pending", "sent", "failed")
                      .description(
                          """
                          Its work at Stripe (the refund through the payment, the Stripe Credit \
                          Note on the mirrored Stripe invoice): none, pending (sent by the route \
                          or collect-payments), sent, failed (stripe_error says why)."""))
              .req("stripe_error", string().orNull()));

  static final Schema INVOICE =
      Schema.component(
          "Invoice",
          allOf(
              INVOICE_SUMMARY,
              object()
                  .req("user_id", string())
                  .req("lines", array(INVOICE_LINE))
                  .prop(
                      "by_member",
                      array(INVOICE_MEMBER_AMOUNT)
                          .description(
                              """
                              A team organization's invoice only (a personal organization's has \
                              neither this nor organization_amount): each member's parts of the \
                              charge lines their sessions made, by user id. Each usage and overage \
                              line is split among the members whose sessions or usage reports made \
                              it (a clock hour's overage shared in proportion to their use of that \
                              hour, a period counter's overage in proportion to what they reported \
                              in the period); a seat line (members) among the members who hold its \
                              billed seats, in proportion to their billed seat-seconds (at each \
                              instant the members are ordered by the start of their current \
                              membership, ties by user id: the first of them hold the plan's \
                              included seats, the others the billed ones), and the organization \
                              for what belongs to no member, by largest remainder over the \
                              currency's minor unit, so the parts add up to the line exactly. \
                              by_member's amounts plus organization_amount add up to subtotal: the \
                              breakdown is before credits, which apply to the invoice as a whole. \
                              A finalized invoice shows the breakdown stored at its finalization, \
                              which nothing after changes (a member leaving included); a draft \
                              shows what finalizing it now would store."""))
                  .prop(
                      "organization_amount",
                      number()
                          .description(
                              """
                              A team organization's invoice only: what belongs to the organization \
                              rather than to a member: plan fees, packs, storage (seats are their \
                              holders'), and the overage of a counter that is its largest report \
                              (a max meter), less a coupon's discount lines (the organization's, \
                              whichever line they discount)."""))
                  .req(
                      "tax_lines",
                      array(INVOICE_TAX_LINE)
                          .description(
                              """
                              The invoice's tax as Stripe Tax calculated it, a row per line and \
                              jurisdiction; empty unless tax_status is calculated."""))
                  .req(
                      "credit_notes",
                      array(CREDIT_NOTE)
                          .description("Its credit notes, oldest first; empty for a draft."))
                  .prop(
                      "total_saved",
                      number()
                          .description(
                              """
                              Where some line was priced at an activity factor: the sum of the \
                              lines' saved, what idle pricing and hibernation saved (the PDF's \
                              Saved by idle pricing, by hibernation, or by both)"""))));

  static final Schema ORG_ID =
      Schema.component(
          "OrgId",
          string()
              .description(
                  """
                  The organization the call acts on (its billing account): a team organization's \
                  id, or a user's id for their personal organization. Absent: the caller's \
                  personal organization. The caller needs the role the operation names in it \
                  (x-org-role: owner, admin or member; each role may do what the roles below it \
                  may); a platform admin may name any organization."""));

  static final Schema FOR_ORGANIZATION =
      Schema.component(
          "ForOrganization", object().prop("org_id", ORG_ID).prop("user_id", string()));

  static final Schema STORE_REVIEW =
      Schema.component(
          "StoreReview",
          object()
              .req(
                  "reason",
                  string()
                      .description(
                          """
                          why (kept in the audit trail; a rejection's is shown to the \
                          creator)""")));
}
