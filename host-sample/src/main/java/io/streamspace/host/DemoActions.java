package io.streamspace.host;

import static io.streamspace.host.DemoApi.BILLING;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.DemoApi.Answer;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code --demo} does through the billing plugin's routes once its events are rated, as the
 * admin and as a creator would: grants alice a credit and invoices her last 24 hours (so that a
 * line of a real invoice can be explained), and has the creator {@value #CREATOR} submit the theme
 * {@link DemoTheme} to the store, which the admin approves. Each is done once on a data folder:
 * a later run finds it done (alice's invoice of that period, her welcome credit, the theme) and
 * says so, so a restart grants, invoices and submits nothing twice, however long after.
 */
final class DemoActions {

  /** The creator's user id. */
  static final String CREATOR = "nora";

  static final String WELCOME = "welcome";

  /**
   * What was done or found: the console lines, alice's invoice's id and the theme's status
   * ({@code approved}), each null when there is none.
   */
  record Done(List<String> lines, Long aliceInvoiceId, String themeStatus) {}

  private final DemoApi api;
  private final String admin;
  private final List<String> lines = new ArrayList<>();
  private String themeStatus;

  private DemoActions(DemoApi api, String admin) {
    this.api = api;
    this.admin = admin;
  }

  /**
   * Invoices alice and puts the creator's theme on sale unless done before; {@code anchor} is
   * the demo's, the end of alice's invoiced day.
   */
  static Done run(DemoApi api, String admin, String creator, Instant anchor) {
    DemoActions actions = new DemoActions(api, admin);
    actions.lines.add("Done through the API, as the admin and as " + CREATOR + ", a creator:");
    Long invoiceId = null;
    try {
      invoiceId = actions.aliceInvoiced(anchor);
      actions.themeOnSale(creator);
    } catch (IOException e) {
      actions.lines.add("  the host's API did not answer: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return new Done(actions.lines, invoiceId, actions.themeStatus);
  }

  /** alice's invoice of the day before the anchor, her welcome credit applied: its id. */
  private Long aliceInvoiced(Instant anchor) throws IOException, InterruptedException {
    Instant start = anchor.minus(Duration.ofDays(1));
    for (JsonNode invoice :
        api.get(admin, BILLING + "/invoices?user_id=alice").body().path("invoices")) {
      if (Instant.parse(invoice.path("period_start").asText(Instant.EPOCH.toString()))
          .equals(start)) {
        lines.add(
            "  alice's invoice " + described(invoice) + ", her credit applied (on an earlier run)");
        return invoice.get("id").asLong();
      }
    }
    if (!hasWelcomeCredit()) {
      String path = BILLING + "/admin/credits";
      Answer credit =
          api.post(
              admin,
              path,
              "demo-alice-welcome-credit",
              "{\"user_id\":\"alice\",\"amount\":0.50,\"reason\":\"" + WELCOME + "\"}");
      lines.add(
          "  POST "
              + path
              + ": "
              + credit.outcome()
              + (credit.ok() ? ", a " + money(credit.body(), "amount") + " credit for alice" : ""));
    }
    String path = BILLING + "/admin/invoices";
    Answer invoice =
        api.post(
            admin,
            path,
            "demo-alice-invoice",
            "{\"user_id\":\"alice\",\"period_start\":\""
                + start
                + "\",\"period_end\":\""
                + anchor
                + "\",\"reason\":\"demo: the last day invoiced now\"}");
    if (invoice.ok()) {
      lines.add(
          "  POST "
              + path
              + ": "
              + invoice.outcome()
              + ", alice's last 24 hours, the credit applied: "
              + described(invoice.body()));
      return invoice.body().get("id").asLong();
    }
    lines.add("  POST " + path + ": " + invoice.outcome());
    // an invoice of alice's overlapping that day, made by hand: the one to explain
    JsonNode existing = invoice.body().at("/error/invoice_id");
    return existing.canConvertToLong() ? existing.asLong() : null;
  }

  private boolean hasWelcomeCredit() throws IOException, InterruptedException {
    for (JsonNode credit :
        api.get(admin, BILLING + "/credits?user_id=alice").body().path("credits")) {
      if (WELCOME.equals(credit.path("reason").asText())) {
        return true;
      }
    }
    return false;
  }

  /**
   * The creator's theme, submitted when it is not in the store yet and approved when it waits for
   * review (on this run or an earlier one).
   */
  private void themeOnSale(String creator) throws IOException, InterruptedException {
    JsonNode theme = null;
    // newest version first: the first of the name is where the theme stands
    for (JsonNode item : api.get(creator, BILLING + "/creator/items").body().path("items")) {
      if (theme == null && DemoTheme.NAME.equals(item.path("name").asText())) {
        theme = item;
      }
    }
    if (theme == null) {
      String path = BILLING + "/store/items";
      Answer submitted =
          api.post(creator, path, "demo-nora-midnight", "application/zip", DemoTheme.bundle());
      lines.add(
          "  POST "
              + path
              + " (as "
              + CREATOR
              + "): "
              + submitted.outcome()
              + (submitted.ok() ? ", " + version(submitted.body()) : ""));
      if (!submitted.ok()) {
        return;
      }
      theme = submitted.body();
      themeStatus = theme.path("status").asText();
    } else if (!"pending_review".equals(theme.path("status").asText())) {
      themeStatus = theme.path("status").asText();
      lines.add("  " + CREATOR + "'s theme " + version(theme) + " (on an earlier run)");
      return;
    }
    String path = BILLING + "/admin/store/items/" + theme.get("id").asLong() + "/approve";
    Answer approved =
        api.post(
            admin,
            path,
            "demo-approve-midnight-" + theme.path("version_id").asText(),
            "{\"reason\":\"demo: the theme passed every check of the inspector\"}");
    lines.add(
        "  POST "
            + path
            + ": "
            + approved.outcome()
            + (approved.ok() ? ", " + version(approved.body()) : ""));
    if (approved.ok()) {
      themeStatus = approved.body().path("status").asText();
    }
  }

  /** "Midnight 1.0.0 approved". */
  private static String version(JsonNode item) {
    return item.path("name").asText()
        + " "
        + item.path("version").asText()
        + " "
        + item.path("status").asText();
  }

  /** "INV-2026-000001, 0.90 USD". */
  private static String described(JsonNode invoice) {
    return invoice.path("invoice_number").asText() + ", " + money(invoice, "total");
  }

  /** "0.90 USD": an amount and the currency of the object that holds it. */
  private static String money(JsonNode holder, String amount) {
    return holder.path(amount).asText() + " " + holder.path("currency").asText();
  }
}
