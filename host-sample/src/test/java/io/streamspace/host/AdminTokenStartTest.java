package io.streamspace.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.HostClient;
import io.streamspace.host.support.HostTestBase;
import io.streamspace.host.support.TokenHashes;
import io.streamspace.testing.TestDatabases;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin token across restarts: {@code BILLING_ADMIN_TOKEN} replaces the previous one, a
 * generated one is created and shown once and kept until revoked, and a weak or revoked
 * {@code BILLING_ADMIN_TOKEN} is refused at start.
 */
class AdminTokenStartTest {

  private static final String FIRST = "first-admin-token-0123456789abcdefghij";
  private static final String OLD_ADMIN = "old-admin-token-from-a-0.1-host-01234";
  private static final String OLD_USER = "old-user-token-from-a-0.1-host-012345";
  private static final String OLD_ADMIN_FROM_ENVIRONMENT = "old-billing-admin-token-of-a-0.1-host";
  private static final String SECOND = "second-admin-token-0123456789abcdefghi";

  private final String dbUrl = TestDatabases.freshDatabaseUrl();

  @Test
  void aNewBillingAdminTokenRevokesThePreviousOne() {
    try (Host first = start(FIRST)) {
      assertEquals(Optional.of(FIRST), first.adminToken());
      assertFalse(first.adminTokenGenerated());
      assertEquals(Optional.empty(), HostMain.adminTokenLine(first), "nothing to show");
    }
    try (Host second = start(SECOND)) {
      HostClient http = new HostClient(second.port());
      assertEquals(401, http.get("/api/admin/tokens", FIRST).status());
      JsonNode tokens = http.get("/api/admin/tokens", SECOND).expect(200).get("tokens");
      assertEquals(2, tokens.size());
      assertEquals("environment", tokens.get(0).get("source").asText());
      assertFalse(tokens.get(0).get("revoked_at").isNull(), "the first one is revoked");
      assertEquals("environment", tokens.get(1).get("source").asText());
      assertTrue(tokens.get(1).get("revoked_at").isNull());
    }
    try (Host again = start(SECOND)) {
      JsonNode tokens =
          new HostClient(again.port()).get("/api/admin/tokens", SECOND).expect(200).get("tokens");
      assertEquals(2, tokens.size(), "the same token on every start is one token");
    }
  }

  @Test
  void aGeneratedAdminTokenIsCreatedAndShownOnce_andKeptAcrossRestarts() {
    String generated;
    long id;
    try (Host first = start(null)) {
      assertTrue(first.adminTokenGenerated());
      generated = first.adminToken().orElseThrow();
      id = first.adminTokenId();
      assertEquals(
          Optional.of(
              "Admin token (shown once; set BILLING_ADMIN_TOKEN to choose your own): " + generated),
          HostMain.adminTokenLine(first));
    }
    try (Host second = start(null)) {
      assertTrue(second.adminTokenGenerated());
      assertEquals(Optional.empty(), second.adminToken(), "only its hash is kept");
      assertEquals(id, second.adminTokenId());
      String line = HostMain.adminTokenLine(second).orElseThrow();
      assertEquals(
          "Admin token: the one generated and shown on an earlier start (token id "
              + id
              + "); lost it? set BILLING_ADMIN_TOKEN to choose your own",
          line);
      JsonNode tokens =
          new HostClient(second.port())
              .get("/api/admin/tokens", generated)
              .expect(200)
              .get("tokens");
      assertEquals(1, tokens.size(), "no second generated token");
      assertEquals("generated", tokens.get(0).get("source").asText());
    }
    try (Host withEnvironment = start(FIRST)) {
      HostClient http = new HostClient(withEnvironment.port());
      http.get("/api/admin/tokens", generated).expect(200);
      assertEquals(204, http.delete("/api/admin/tokens/" + id, FIRST).status());
    }
    try (Host afterRevocation = start(null)) {
      String replacement =
          afterRevocation.adminToken().orElseThrow(() -> new AssertionError("a new one"));
      HostClient http = new HostClient(afterRevocation.port());
      assertEquals(401, http.get("/api/admin/tokens", generated).status());
      http.get("/api/admin/tokens", replacement).expect(200);
    }
  }

  @Test
  void theDemoShowsAWorkingAdminTokenWhenTheGeneratedOneWasShownOnAnEarlierStart(@TempDir Path data)
      throws IOException {
    try (Host first = start(null)) {
      first.adminToken().orElseThrow();
    }
    try (Host second = start(null)) {
      String adminLine =
          Demo.run(second, data).stream()
              .filter(line -> line.endsWith("/api/admin/plugins'"))
              .findFirst()
              .orElseThrow();
      String token = adminLine.replaceAll(".*Bearer ([^']+)'.*", "$1");
      new HostClient(second.port()).get("/api/admin/plugins", token).expect(200);
    }
  }

  @Test
  void aBillingAdminTokenShorterThan32CharactersIsRefusedAtStart() {
    Host.StartRefused refused =
        assertThrows(Host.StartRefused.class, () -> start("0123456789abcdef0123456789abcde"));
    assertEquals(
        "BILLING_ADMIN_TOKEN must be at least 32 characters (it has 31); "
            + "generate one with: openssl rand -base64 32",
        refused.getMessage());
    assertFalse(refused.getMessage().contains("0123456789abcdef"), "never echoes the token");
  }

  @Test
  void aRevokedBillingAdminTokenIsRefusedAtStart() {
    long id;
    try (Host first = start(FIRST)) {
      id = first.adminTokenId();
      assertEquals(
          204, new HostClient(first.port()).delete("/api/admin/tokens/" + id, FIRST).status());
    }
    Host.StartRefused refused = assertThrows(Host.StartRefused.class, () -> start(FIRST));
    assertEquals(
        "BILLING_ADMIN_TOKEN is a revoked token (token id " + id + "); set a new one",
        refused.getMessage());
  }

  @Test
  void adminTokensStoredBeforeTokensHadIdsAreRevokedByTheNextBillingAdminToken() throws Exception {
    storeAdminAndUserTokensAsA01HostDid();
    try (Host upgraded = start(FIRST)) {
      HostClient http = new HostClient(upgraded.port());
      assertEquals(401, http.get("/api/admin/tokens", OLD_ADMIN).status());
      JsonNode tokens = http.get("/api/admin/tokens", FIRST).expect(200).get("tokens");
      assertEquals(
          List.of("legacy", "issued", "environment"),
          List.of(
              tokens.get(0).get("source").asText(),
              tokens.get(1).get("source").asText(),
              tokens.get(2).get("source").asText()));
      assertFalse(tokens.get(0).get("revoked_at").isNull());
      assertEquals(
          403, http.get("/api/admin/tokens", OLD_USER).status(), "olga's token still works");
    }
  }

  @Test
  void adminTokensStoredBeforeTokensHadIdsAreRevokedByAStartWithoutBillingAdminTokenToo()
      throws Exception {
    storeAdminAndUserTokensAsA01HostDid();
    try (Host upgraded = start(null)) {
      HostClient http = new HostClient(upgraded.port());
      assertEquals(401, http.get("/api/admin/tokens", OLD_ADMIN).status());
      String generated = upgraded.adminToken().orElseThrow(() -> new AssertionError("a new one"));
      http.get("/api/admin/tokens", generated).expect(200);
      assertEquals(
          403, http.get("/api/admin/tokens", OLD_USER).status(), "olga's token still works");
    }
  }

  @Test
  void aStartWithoutBillingAdminTokenLeavesTheEnvironmentTokenOtherNodesUse() {
    try (Host first = start(FIRST)) {
      new HostClient(first.port()).get("/api/admin/tokens", FIRST).expect(200);
    }
    try (Host unset = start(null)) {
      new HostClient(unset.port()).get("/api/admin/tokens", FIRST).expect(200);
    }
  }

  @Test
  void theBillingAdminTokenA01HostStoredStaysTheAdminTokenAfterTheUpgrade() throws Exception {
    storeAdminAndUserTokensAsA01HostDid(OLD_ADMIN_FROM_ENVIRONMENT);
    try (Host upgraded = start(OLD_ADMIN_FROM_ENVIRONMENT)) {
      new HostClient(upgraded.port())
          .get("/api/admin/tokens", OLD_ADMIN_FROM_ENVIRONMENT)
          .expect(200);
      assertEquals(
          401, new HostClient(upgraded.port()).get("/api/admin/tokens", OLD_ADMIN).status());
    }
  }

  /** The host tables at version 2, with admin and user tokens stored as 0.1 hosts did. */
  private void storeAdminAndUserTokensAsA01HostDid(String... moreAdminTokens) throws Exception {
    Flyway.configure()
        .dataSource(dbUrl, null, null)
        .locations("classpath:db/host")
        .table("host_schema_history")
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .target("2")
        .load()
        .migrate();
    try (Connection connection = DriverManager.getConnection(dbUrl);
        PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO host_tokens (token_hash, user_id, roles, created_at) VALUES (?, ?, ?, now())")) {
      List<String[]> rows =
          new ArrayList<>(
              List.of(
                  new String[] {OLD_ADMIN, "admin", "admin"},
                  new String[] {OLD_USER, "olga", "user"}));
      for (String admin : moreAdminTokens) {
        rows.add(new String[] {admin, "admin", "admin"});
      }
      for (String[] row : rows) {
        insert.setString(1, TokenHashes.sha256(row[0]));
        insert.setString(2, row[1]);
        insert.setArray(3, connection.createArrayOf("text", new String[] {row[2]}));
        insert.executeUpdate();
      }
    }
  }

  private Host start(String adminToken) {
    Map<String, String> environment = new HashMap<>();
    if (adminToken != null) {
      environment.put("BILLING_ADMIN_TOKEN", adminToken);
    }
    return HostTestBase.startPluginless(dbUrl, environment);
  }
}
