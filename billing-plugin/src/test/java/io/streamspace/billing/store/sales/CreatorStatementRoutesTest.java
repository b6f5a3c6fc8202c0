package io.streamspace.billing.store.sales;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.config.BillingConfigParser;
import io.streamspace.billing.config.CronValidator;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.OrgFixtures;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.common.db.Transactions;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A creator's statements through {@code GET /creator/statements} (JSON, CSV, PDF), and the
 * platform admin's month of store revenue through {@code GET /admin/store/revenue}, on the worked
 * example's share table (StoreSalesTest).
 */
class CreatorStatementRoutesTest {

  private static final Caller CARA = new Caller("cara", Set.of("user", Caller.ROLE_CREATOR));

  private final BillingHarness billing =
      new BillingHarness(at("2026-11-20T12:00:00Z"), StoreSalesTest.WORKED_EXAMPLE);
  private final StoreSales sales =
      new StoreSales(
          () ->
              new BillingConfigParser(CronValidator.fiveFields())
                  .parse(StoreSalesTest.WORKED_EXAMPLE)
                  .config(),
          billing.clock);

  /**
   * Cara sells 800.00 (160.00 + 640.00) and 499.99 (70.00 + 429.99, across 1,000.00), the
   * second refunded, then 800.00 (100.00 + 700.00, across 1,000.00); dave sells 100.00.
   */
  @BeforeEach
  void november() throws SQLException {
    OrgFixtures.opened(billing, "acme", "Acme", "olivia", "USD", "free", "2026-01-01T00:00:00Z");
    long first = StoreSalesTest.purchase("cara", "800.00", "USD", "2026-11-02T10:00:00Z");
    long second = StoreSalesTest.purchase("cara", "499.99", "USD", "2026-11-03T10:00:00Z");
    long third = StoreSalesTest.purchase("cara", "800.00", "USD", "2026-11-05T10:00:00Z");
    long dave = StoreSalesTest.purchase("dave", "100.00", "USD", "2026-11-04T10:00:00Z");
    Transactions.inTransaction(
        TestDatabase.dataSource(),
        c -> {
          sales.sold(c, first);
          sales.sold(c, second);
          sales.refunded(c, second, Instant.parse("2026-11-06T10:00:00Z"));
          sales.sold(c, third); // 800.00 -> 1,600.00: 200 x 0.20 + 600 x 0.10 = 100.00
          sales.sold(c, dave);
          return null;
        });
    TestDatabase.execute(
        "UPDATE billing_store_purchases SET status = 'refunded', refunded_at ="
            + " '2026-11-06T10:00:00Z', refund_reason = 'asked' WHERE id = "
            + second);
  }

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void aCreatorReadsTheirMonthsStatementWithItsLinesAndFigures() {
    Answer answer = billing.call(HttpMethod.GET, "/creator/statements?period=2026-11", CARA);

    assertEquals(200, answer.status(), answer.body().toString());
    assertEquals(1, answer.body().get("statements").size());
    JsonNode usd = answer.body().at("/statements/0");
    assertEquals("USD", usd.get("currency").asText());
    assertEquals(4, usd.get("lines").size());
    assertEquals("refund", usd.at("/lines/3/kind").asText());
    assertEquals(new BigDecimal("-429.99"), usd.at("/lines/3/creator_share").decimalValue());
    // sales 800.00 + 499.99 + 800.00; the refund -499.99
    assertEquals(new BigDecimal("2099.99"), usd.get("sales_gross").decimalValue());
    assertEquals(new BigDecimal("-499.99"), usd.get("refunds_gross").decimalValue());
    // 160.00 + 70.00 - 70.00 + 100.00 = 260.00; 640.00 + 429.99 - 429.99 + 700.00 = 1,340.00
    assertEquals(new BigDecimal("260.00"), usd.get("platform_share").decimalValue());
    assertEquals(new BigDecimal("1340.00"), usd.get("creator_share").decimalValue());
    assertEquals("10% from 1000.00", usd.get("tier_reached").asText());
    assertEquals(new BigDecimal("0.00"), usd.get("opening_balance").decimalValue());
    assertEquals(new BigDecimal("1340.00"), usd.get("closing_balance").decimalValue());
    assertEquals(new BigDecimal("1340.00"), usd.get("payout").decimalValue());
    assertEquals(new BigDecimal("0.00"), usd.get("carried_forward").decimalValue());
  }

  @Test
  void theStatementIsAlsoACsvAndAPdf() {
    BillingHarness.Text csv = billing.text("/creator/statements?period=2026-11&format=csv", CARA);
    BillingHarness.Text pdf = billing.text("/creator/statements?period=2026-11&format=pdf", CARA);

    assertEquals(200, csv.status());
    assertTrue(csv.contentType().startsWith("text/csv"), csv.contentType());
    assertTrue(
        csv.body()
            .startsWith(
                "currency,kind,reference,at,gross,platform_share,creator_share,tier,amount"),
        csv.body());
    assertTrue(csv.body().contains("USD,sale,purchase-"), csv.body()); // a line per sale
    assertTrue(csv.body().contains("USD,payout,,,,,,,1340.00"), csv.body());
    assertEquals(200, pdf.status());
    assertEquals("application/pdf", pdf.contentType());
    assertTrue(pdf.body().startsWith("%PDF-"));
    assertTrue(
        pdf.headers().get("Content-Disposition").contains("statement-2026-11-cara.pdf"),
        pdf.headers().toString());
  }

  @Test
  void onlyACreatorHasStatements_andAPeriodMustBeAMonth() {
    Answer notCreator = billing.call(HttpMethod.GET, "/creator/statements", user("ann"));
    Answer badPeriod = billing.call(HttpMethod.GET, "/creator/statements?period=2026-13", CARA);
    Answer badFormat =
        billing.call(HttpMethod.GET, "/creator/statements?period=2026-11&format=xls", CARA);

    assertEquals(403, notCreator.status());
    assertEquals(400, badPeriod.status());
    assertEquals("period", badPeriod.errorField());
    assertEquals(400, badFormat.status());
    assertEquals("format", badFormat.errorField());
  }

  @Test
  void theAdminSeesRevenueByCreatorAndThePopularItemsAndPacksOfTheMonth() {
    Answer bought =
        billing.call(
            HttpMethod.POST, "/packs/slots-5/purchase", user("olivia"), "{\"org_id\": \"acme\"}");
    assertEquals(201, bought.status(), bought.body().toString());

    Answer answer =
        billing.call(HttpMethod.GET, "/admin/store/revenue?period=2026-11", admin("root"));
    Answer byCreator = billing.call(HttpMethod.GET, "/admin/store/revenue?period=2026-11", CARA);

    assertEquals(200, answer.status(), answer.body().toString());
    JsonNode cara = answer.body().at("/by_creator/0");
    assertEquals("cara", cara.get("creator_id").asText());
    assertEquals("USD", cara.get("currency").asText());
    // 800.00 + 499.99 - 499.99 + 800.00, shared 260.00 / 1,340.00
    assertEquals(new BigDecimal("1600.00"), cara.get("gross").decimalValue());
    assertEquals(new BigDecimal("260.00"), cara.get("platform_share").decimalValue());
    assertEquals(new BigDecimal("1340.00"), cara.get("creator_share").decimalValue());
    assertEquals("dave", answer.body().at("/by_creator/1/creator_id").asText());
    // cara's item: two purchases kept (the refunded one is not counted), dave's one
    JsonNode top = answer.body().at("/popular_items/0");
    assertEquals("Theme of cara", top.get("name").asText());
    assertEquals(2, top.get("purchases").asInt());
    assertEquals(new BigDecimal("1600.00"), top.get("gross").decimalValue());
    assertEquals(1, answer.body().at("/popular_items/1/purchases").asInt());
    assertEquals("slots-5", answer.body().at("/popular_packs/0/pack_id").asText());
    assertEquals(1, answer.body().at("/popular_packs/0/purchases").asInt());
    assertEquals(403, byCreator.status());
  }
}
