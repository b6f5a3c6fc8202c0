package io.streamspace.billing.http;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.BillingHarness.Text;
import io.streamspace.billing.support.OrgFixtures;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code GET /admin/reports} through the registered route handler, its streamed body written
 * out. Rates: 0.05 per core-hour and 0.01 per GB-hour (USD), 1,250 and 250 (VND); billing zone
 * UTC.
 */
class ReportRoutesTest {

  private static final String MARCH = "/admin/reports?from=2026-03-01&to=2026-04-01";

  private final BillingHarness billing =
      new BillingHarness(at("2026-03-01T00:00:00Z"), BillingHarness.USD_AND_VND_CONFIG);

  @AfterEach
  void unload() {
    billing.close();
  }

  /**
   * ann (USD) on Free: 2 cores and 4 GB on March 2 from 08:00 to 10:00 (4 core-hours, 0.20; 8
   * GB-hours, 0.08); on Pro from March 3: 1 core and 2 GB from 10:00 to 11:00 (1 core-hour,
   * 0.05; 2 GB-hours, 0.02). bob (USD, Free): 1 core on March 3 from 10:00 to 13:00 (3
   * core-hours, 0.15). thu (VND, Free): 1 core and 5 GB on March 2 from 08:00 to 09:00 (1
   * core-hour, 1,250 dong; 5 GB-hours, 1,250 dong).
   */
  private void seedMarch() {
    billing.userCreated("ann", Map.of());
    billing.userCreated("bob", Map.of());
    billing.userCreated("thu", Map.of("currency", "VND"));
    billing.flush();
    billing.session(
        "s1", "ann", "2026-03-02T08:00:00Z", "2026-03-02T10:00:00Z", size("2", "4", "0"));
    billing.session(
        "s4", "thu", "2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z", size("1", "5", "0"));
    billing.clock.set(at("2026-03-03T00:00:00Z"));
    Answer toPro =
        billing.call(HttpMethod.PUT, "/subscription", user("ann"), "{\"plan_id\": \"pro\"}");
    assertEquals(200, toPro.status(), toPro.body().toString());
    billing.session(
        "s2", "ann", "2026-03-03T10:00:00Z", "2026-03-03T11:00:00Z", size("1", "2", "0"));
    billing.session(
        "s3", "bob", "2026-03-03T10:00:00Z", "2026-03-03T13:00:00Z", size("1", "0", "0"));
    billing.calculateUsageAt("2026-03-04T00:00:00Z");
  }

  @Test
  void groupedByUserEachAccountHasALinePerResourceInItsOwnCurrency() {
    seedMarch();

    assertEquals(
        List.of(
            "ann USD cpu core-hours 0.05 5 0.25",
            "ann USD memory gb-hours 0.01 10 0.10",
            "bob USD cpu core-hours 0.05 3 0.15",
            "thu VND cpu core-hours 1250 1 1250",
            "thu VND memory gb-hours 250 5 1250"),
        rows(MARCH + "&group_by=user", "user_id"));
  }

  @Test
  void groupedByResourceTheAccountsAddUpButCurrenciesStayApart() {
    seedMarch();

    assertEquals(
        List.of(
            "USD cpu core-hours 0.05 8 0.40",
            "USD memory gb-hours 0.01 10 0.10",
            "VND cpu core-hours 1250 1 1250",
            "VND memory gb-hours 250 5 1250"),
        rows(MARCH + "&group_by=resource", null));
  }

  @Test
  void groupedByDayEachDayOfTheBillingZoneHasItsOwnLines() {
    seedMarch();

    assertEquals(
        List.of(
            "2026-03-02 USD cpu core-hours 0.05 4 0.20",
            "2026-03-02 USD memory gb-hours 0.01 8 0.08",
            "2026-03-02 VND cpu core-hours 1250 1 1250",
            "2026-03-02 VND memory gb-hours 250 5 1250",
            "2026-03-03 USD cpu core-hours 0.05 4 0.20",
            "2026-03-03 USD memory gb-hours 0.01 2 0.02"),
        rows(MARCH + "&group_by=day", "day"));
  }

  @Test
  void groupedByPlanUsageCountsForThePlanTheAccountWasOnWhenItWasUsed() {
    seedMarch();

    assertEquals(
        List.of(
            "free USD cpu core-hours 0.05 7 0.35",
            "free USD memory gb-hours 0.01 8 0.08",
            "free VND cpu core-hours 1250 1 1250",
            "free VND memory gb-hours 250 5 1250",
            "pro USD cpu core-hours 0.05 1 0.05",
            "pro USD memory gb-hours 0.01 2 0.02"),
        rows(MARCH + "&group_by=plan", "plan_id"));
  }

  /**
   * Each row is rounded once from the exact sums: 2 cores for 1 h 21 min is 2.7 core-hours,
   * 0.135 each for ann and bob, so 0.14 on each one's line (as on each one's invoice), but
   * 5.4 core-hours, 0.27, on the one line of both.
   */
  @Test
  void aRowIsRoundedOnceFromTheExactSumsOfItsGroup() {
    billing.userCreated("ann", Map.of());
    billing.userCreated("bob", Map.of());
    billing.session(
        "s1", "ann", "2026-03-02T08:00:00Z", "2026-03-02T09:21:00Z", size("2", "0", "0"));
    billing.session(
        "s2", "bob", "2026-03-02T08:00:00Z", "2026-03-02T09:21:00Z", size("2", "0", "0"));
    billing.calculateUsageAt("2026-03-03T00:00:00Z");

    assertEquals(
        List.of("ann USD cpu core-hours 0.05 2.7 0.14", "bob USD cpu core-hours 0.05 2.7 0.14"),
        rows(MARCH + "&group_by=user", "user_id"));
    assertEquals(
        List.of("USD cpu core-hours 0.05 5.4 0.27"), rows(MARCH + "&group_by=resource", null));
  }

  @Test
  void theJsonNamesTheRangeAndTheGrouping() {
    Answer answer =
        billing.call(HttpMethod.GET, MARCH + "&group_by=day&format=json", admin("root"));

    assertEquals(200, answer.status());
    assertEquals(
        """
        {"from":"2026-03-01T00:00:00Z","to":"2026-04-01T00:00:00Z","group_by":"day",\
        "rows":[]}""",
        answer.body().toString());
  }

  /** An id with a comma and a quote is quoted as RFC 4180 says, and reads back as it was. */
  /**
   * Grouped by member: acme's u1, u2 and u3 each run 1 core for 20 minutes on March 2 from 10:00,
   * reporting acme's 73 GB of storage, and bob runs 1 core from 10:00 to 11:00 alone. acme's
   * cpu line, 1 core-hour × 0.05 = 0.05, is split as {@code GET /usage} splits it: 1/3 each,
   * 0.0166…, floors 0.01 leave 2 cents for the largest remainders, equal, so to u1 and u2:
   * 0.02, 0.02, 0.01. Storage is acme's own (no member): 73 GB from 10:00 to midnight (rated up
   * to then by 01:00), 14 h =
   * 1.4 GB-months × 0.10 = 0.14. bob's personal account has its one member, bob.
   */
  @Test
  void groupedByMemberEachOrganizationsLineIsSplitAmongItsMembersToTheCent() throws Exception {
    OrgFixtures.session(
        billing,
        "acme",
        "s1",
        "u1",
        "2026-03-02T10:00:00Z",
        "2026-03-02T10:20:00Z",
        size("1", "0", "73"));
    OrgFixtures.session(
        billing,
        "acme",
        "s2",
        "u2",
        "2026-03-02T10:20:00Z",
        "2026-03-02T10:40:00Z",
        size("1", "0", "73"));
    OrgFixtures.session(
        billing,
        "acme",
        "s3",
        "u3",
        "2026-03-02T10:40:00Z",
        "2026-03-02T11:00:00Z",
        size("1", "0", "73"));
    billing.session(
        "s4", "bob", "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", size("1", "0", "0"));
    billing.calculateUsageAt("2026-03-03T01:00:00Z");

    Text csv = billing.text(MARCH + "&group_by=member&format=csv", admin("root"));

    assertEquals(
        "attachment; filename=\"usage-2026-03-01-2026-04-01-member.csv\"",
        csv.headers().get("Content-Disposition"));
    assertEquals(
        List.of(
            "user_id,member_id,currency,resource_type,unit,unit_price,quantity,cost,activity,saved",
            "acme,u1,USD,cpu,core-hours,0.05,0.333333,0.02,,",
            "acme,u2,USD,cpu,core-hours,0.05,0.333333,0.02,,",
            "acme,u3,USD,cpu,core-hours,0.05,0.333333,0.01,,",
            "acme,,USD,storage,gb-months,0.1,1.4,0.14,,",
            "bob,bob,USD,cpu,core-hours,0.05,1,0.05,,"),
        List.of(csv.body().split("\r\n")));
    JsonNode json = billing.call(HttpMethod.GET, MARCH + "&group_by=member", admin("root")).body();
    assertTrue(json.get("rows").get(3).get("member_id").isNull(), json.toString());
  }

  @Test
  void theCsvHasAHeaderQuotesWhatNeedsQuotingAndReadsBackWithCommonsCsv() throws Exception {
    billing.userCreated("o\"neil, jr", Map.of());
    billing.session(
        "s1", "o\"neil, jr", "2026-03-02T08:00:00Z", "2026-03-02T10:00:00Z", size("2", "4", "0"));
    billing.calculateUsageAt("2026-03-03T00:00:00Z");

    Text csv = billing.text(MARCH + "&group_by=user&format=csv", admin("root"));

    assertEquals(200, csv.status());
    assertEquals("text/csv; charset=utf-8", csv.contentType());
    assertEquals(
        "attachment; filename=\"usage-2026-03-01-2026-04-01-user.csv\"",
        csv.headers().get("Content-Disposition"));
    assertTrue(
        csv.body().contains("\r\n\"o\"\"neil, jr\",USD,cpu,"), "quoted, quote doubled: " + csv);
    try (CSVParser parser =
        CSVParser.parse(
            new StringReader(csv.body()),
            CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
      assertEquals(
          List.of(
              "user_id",
              "currency",
              "resource_type",
              "unit",
              "unit_price",
              "quantity",
              "cost",
              "activity",
              "saved"),
          parser.getHeaderNames());
      List<CSVRecord> records = parser.getRecords();
      assertEquals(2, records.size());
      assertEquals("o\"neil, jr", records.get(0).get("user_id"));
      assertEquals("cpu", records.get(0).get("resource_type"));
      assertEquals("4", records.get(0).get("quantity"));
      assertEquals("0.20", records.get(0).get("cost"));
      assertEquals("0.08", records.get(1).get("cost"));
    }
  }

  @Test
  void anIdStartingLikeASpreadsheetFormulaIsWrittenAsText_inTheCsvOnly() throws Exception {
    billing.userCreated("=HYPERLINK(\"x\")", Map.of());
    billing.session(
        "s1",
        "=HYPERLINK(\"x\")",
        "2026-03-02T08:00:00Z",
        "2026-03-02T10:00:00Z",
        size("2", "4", "0"));
    billing.calculateUsageAt("2026-03-03T00:00:00Z");

    Text csv = billing.text(MARCH + "&group_by=user&format=csv", admin("root"));
    JsonNode json = billing.call(HttpMethod.GET, MARCH + "&group_by=user", admin("root")).body();

    try (CSVParser parser =
        CSVParser.parse(
            new StringReader(csv.body()),
            CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
      assertEquals("'=HYPERLINK(\"x\")", parser.getRecords().get(0).get("user_id"));
    }
    assertEquals("=HYPERLINK(\"x\")", json.at("/rows/0/user_id").asText());
  }

  /**
   * March's report by user, two accounts a page: ann and bob, then thu. The pages' rows, in
   * order, are the whole report's; {@code next_after} names the page's last account, null on the
   * last page.
   */
  @Test
  void aReportByUserIsReadAPageOfAccountsAtATime_thePagesTogetherAreTheWholeReport() {
    seedMarch();
    String byUser = MARCH + "&group_by=user";

    JsonNode first = page(byUser + "&limit=2");
    JsonNode last = page(byUser + "&limit=2&after=" + first.get("next_after").asText());

    assertEquals("bob", first.get("next_after").asText());
    assertTrue(last.get("next_after").isNull(), last.toString());
    List<String> paged = new ArrayList<>(values(first, "user_id"));
    paged.addAll(values(last, "user_id"));
    assertEquals(rows(byUser, "user_id"), paged);
    assertEquals(
        List.of("thu VND cpu core-hours 1250 1 1250", "thu VND memory gb-hours 250 5 1250"),
        values(last, "user_id"));
  }

  /**
   * A page is of accounts, not rows: bob used nothing in March, so the page of ann and bob has
   * ann's rows only, and the next starts after bob. An account's member rows stay on its page.
   */
  @Test
  void aPageIsOfAccounts_oneWithoutUsageHasNoRowsButCountsInThePage() {
    billing.userCreated("ann", Map.of());
    billing.userCreated("bob", Map.of());
    billing.userCreated("cy", Map.of());
    billing.flush();
    billing.session(
        "s1", "ann", "2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z", size("1", "0", "0"));
    billing.session(
        "s2", "cy", "2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z", size("2", "0", "0"));
    billing.calculateUsageAt("2026-03-03T00:00:00Z");

    JsonNode first = page(MARCH + "&group_by=member&limit=2");
    JsonNode last = page(MARCH + "&group_by=member&limit=2&after=bob");

    assertEquals(List.of("ann ann USD cpu core-hours 0.05 1 0.05"), memberRows(first));
    assertEquals("bob", first.get("next_after").asText());
    assertEquals(List.of("cy cy USD cpu core-hours 0.05 2 0.10"), memberRows(last));
    assertTrue(last.get("next_after").isNull(), last.toString());
  }

  /**
   * A CSV page says where the next starts in {@code X-Next-After}, percent-encoded as a query
   * value; the last page has none.
   */
  @Test
  void aCsvPageNamesTheNextInAHeader_percentEncoded_theLastNone() {
    billing.userCreated("o\"neil, jr", Map.of());
    billing.userCreated("zoe", Map.of());
    billing.session(
        "s1", "o\"neil, jr", "2026-03-02T08:00:00Z", "2026-03-02T10:00:00Z", size("2", "4", "0"));
    billing.session(
        "s2", "zoe", "2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z", size("1", "0", "0"));
    billing.calculateUsageAt("2026-03-03T00:00:00Z");

    Text first = billing.text(MARCH + "&group_by=user&format=csv&limit=1", admin("root"));
    Text last =
        billing.text(MARCH + "&group_by=user&format=csv&limit=1&after=o\"neil, jr", admin("root"));

    assertEquals("o%22neil%2C%20jr", first.headers().get("X-Next-After"));
    assertEquals(3, first.body().split("\r\n").length, first.body()); // header, cpu, memory
    assertTrue(first.body().contains("\"o\"\"neil, jr\",USD,cpu,"), first.body());
    assertEquals(null, last.headers().get("X-Next-After"));
    assertEquals(
        List.of(
            "user_id,currency,resource_type,unit,unit_price,quantity,cost,activity,saved",
            "zoe,USD,cpu,core-hours,0.05,1,0.05,,"),
        List.of(last.body().split("\r\n")));
  }

  @Test
  void aRangeOfInstantsNamesThemInTheFileNameInUtc() {
    Text csv =
        billing.text(
            "/admin/reports?from=2026-03-02T10:00:00Z&to=2026-03-03&group_by=day&format=csv",
            admin("root"));

    assertEquals(
        "attachment; filename=\"usage-20260302T100000Z-2026-03-03-day.csv\"",
        csv.headers().get("Content-Disposition"));
    assertEquals(
        "day,currency,resource_type,unit,unit_price,quantity,cost,activity,saved\r\n", csv.body());
  }

  @Test
  void onlyAnAdminMayReadAReport() {
    assertEquals(401, billing.call(HttpMethod.GET, MARCH, Caller.ANONYMOUS).status());
    assertEquals(403, billing.call(HttpMethod.GET, MARCH, user("ann")).status());
    assertEquals(403, billing.call(HttpMethod.GET, MARCH + "&format=csv", user("ann")).status());
  }

  @ParameterizedTest(name = "{0} -> 400 on {1}")
  @CsvSource({
    "group_by=week, group_by, invalid_parameter",
    "format=xml, format, invalid_parameter",
    "from=yesterday, from, invalid_parameter",
    "to=2026-13-01, to, invalid_parameter",
    "from=2026-04-01&to=2026-03-01, from, invalid_parameter",
    "from=2026-03-02T10:30:00Z, from, invalid_range",
    "group_by=day&limit=10, limit, invalid_parameter",
    "group_by=plan&limit=10, limit, invalid_parameter",
    "limit=0, limit, invalid_parameter",
    "limit=1001, limit, invalid_parameter",
    "after=bob, after, invalid_parameter",
  })
  void aBadParameterIsRefusedNamingIt(String query, String field, String code) {
    Answer answer = billing.call(HttpMethod.GET, "/admin/reports?" + query, admin("root"));

    assertEquals(400, answer.status(), answer.body().toString());
    assertEquals(field, answer.errorField());
    assertEquals(code, answer.body().at("/error/code").asText());
  }

  /** A page of a report, answered 200. */
  private JsonNode page(String pathAndQuery) {
    Answer answer = billing.call(HttpMethod.GET, pathAndQuery, admin("root"));
    assertEquals(200, answer.status(), answer.body().toString());
    return answer.body();
  }

  /** A report's rows by member, each as its values joined by spaces, account and member first. */
  private static List<String> memberRows(JsonNode report) {
    List<String> byMember = values(report, "member_id");
    List<String> rows = new ArrayList<>();
    for (int i = 0; i < byMember.size(); i++) {
      rows.add(report.get("rows").get(i).get("user_id").asText() + " " + byMember.get(i));
    }
    return rows;
  }

  /** The report's JSON rows, each as its values joined by spaces, the group's first. */
  private List<String> rows(String pathAndQuery, String groupColumn) {
    return values(page(pathAndQuery), groupColumn);
  }

  /** A report's JSON rows, each as its values joined by spaces, the group's first. */
  private static List<String> values(JsonNode report, String groupColumn) {
    List<String> rows = new ArrayList<>();
    for (JsonNode row : report.get("rows")) {
      String values =
          String.join(
              " ",
              row.get("currency").asText(),
              row.get("resource_type").asText(),
              row.get("unit").asText(),
              row.get("unit_price").toString(),
              row.get("quantity").toString(),
              row.get("cost").toString());
      rows.add(groupColumn == null ? values : row.get(groupColumn).asText() + " " + values);
    }
    return rows;
  }
}
