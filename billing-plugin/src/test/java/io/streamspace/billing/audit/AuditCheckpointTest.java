package io.streamspace.billing.audit;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.billing.jobs.AuditCheckpointJob;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.jobs.JobRun;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Signed checkpoints anchor the chains outside the database: whoever controls the database (the
 * tests' role is a superuser) may rewrite a chain so that its own walk holds, and a checkpoint
 * published before the rewrite still shows it.
 */
class AuditCheckpointTest {

  private static final String KEY_VARIABLE = "BILLING_AUDIT_KEY";
  private static final String KEY = "a-checkpoint-key-kept-out-of-the-database";

  private final BillingHarness billing =
      new BillingHarness(at("2026-03-10T12:00:00Z"), "{\"auditCheckpointMinutes\": 60}");

  @BeforeEach
  void accounts() {
    billing.userCreated("ann", Map.of());
    billing.userCreated("bob", Map.of());
    billing.flush();
    billing.context.setSecret(KEY_VARIABLE, KEY);
  }

  @AfterEach
  void unload() {
    billing.close();
  }

  private void grant(String orgId, String amount) {
    Answer answer =
        billing.call(
            HttpMethod.POST,
            "/admin/credits",
            admin("root"),
            """
            {"user_id": "%s", "amount": %s, "reason": "goodwill"}"""
                .formatted(orgId, amount));
    assertEquals(201, answer.status(), answer.body().toString());
  }

  private Answer checkpoint() {
    return billing.call(HttpMethod.POST, "/admin/audit/checkpoints", admin("root"), null);
  }

  private Answer verify(JsonNode checkpoint) {
    return billing.call(
        HttpMethod.POST, "/admin/audit/verify", admin("root"), checkpoint.toString());
  }

  private Answer verifyWithoutCheckpoint() {
    return billing.call(HttpMethod.GET, "/admin/audit/verify", admin("root"));
  }

  /** Ann's chain of two entries and Bob's of one, checkpointed; then a third entry of Ann's. */
  private JsonNode checkpointedThenGrown() {
    grant("ann", "1");
    grant("bob", "2");
    grant("ann", "3");
    Answer taken = checkpoint();
    assertEquals(201, taken.status(), taken.body().toString());
    grant("ann", "4");
    return taken.body();
  }

  @Test
  void aCheckpointSignsEachChainsHeadAndIsPublishedAsAnEvent() throws Exception {
    grant("ann", "1");
    grant("bob", "2");
    grant("ann", "3");

    Answer taken = checkpoint();

    assertEquals(201, taken.status(), taken.body().toString());
    JsonNode body = taken.body();
    assertEquals("2026-03-10T12:00:00Z", body.get("at").asText());
    assertEquals(
        rows(
            """
            SELECT chain, chain_seq, encode(hash, 'hex') FROM billing_audit_entries
            WHERE (chain, chain_seq) IN (SELECT chain, last_seq FROM billing_audit_chains)
            ORDER BY chain"""),
        List.of(head(body, 0), head(body, 1)));
    String signed =
        "[\"billing.audit.checkpoint\",\"2026-03-10T12:00:00Z\",[[\"ann\",2,\"%s\"],[\"bob\",1,\"%s\"]]]"
            .formatted(body.at("/heads/0/hash").asText(), body.at("/heads/1/hash").asText());
    assertEquals(hmac(KEY, signed), body.get("signature").asText());
    assertEquals(List.of("billing.audit.checkpoint " + body), checkpointsPublished());
  }

  private static List<Object> head(JsonNode checkpoint, int i) {
    JsonNode head = checkpoint.get("heads").get(i);
    return List.of(
        head.get("chain").asText(), head.get("chain_seq").asLong(), head.get("hash").asText());
  }

  @Test
  void aTrailGrownButNotRewrittenSinceTheCheckpointVerifiesIntact() {
    JsonNode checkpoint = checkpointedThenGrown();

    Answer answer = verify(checkpoint);

    assertEquals(200, answer.status(), answer.body().toString());
    assertEquals(
        "{\"intact\":true,\"checked\":4,\"chains\":2,\"broken\":null,\"anchoring\":\"checkpoint\","
            + "\"checkpoint_at\":\"2026-03-10T12:00:00Z\"}",
        answer.body().toString());
  }

  @Test
  void aChainDeletedWithItsHeadIsCaughtAgainstACheckpointTakenBefore() throws SQLException {
    JsonNode checkpoint = checkpointedThenGrown();

    asSuperuser(
        """
        DELETE FROM billing_audit_entries WHERE chain = 'ann';
        DELETE FROM billing_audit_chains WHERE chain = 'ann'""");

    assertTrue(verifyWithoutCheckpoint().body().get("intact").asBoolean(), "the walk is fooled");
    JsonNode answer = verify(checkpoint).body();
    assertFalse(answer.get("intact").asBoolean(), answer.toString());
    assertEquals("ann", answer.at("/broken/chain").asText());
    assertEquals(2, answer.at("/broken/chain_seq").asLong());
    assertTrue(answer.at("/broken/id").isNull(), answer.toString());
    assertTrue(
        answer.at("/broken/problem").asText().startsWith("the chain has no entries"),
        answer.toString());
  }

  @Test
  void aTailCutWithItsHeadRolledBackIsCaughtAgainstACheckpointTakenBefore() throws SQLException {
    JsonNode checkpoint = checkpointedThenGrown();

    asSuperuser(
        """
        DELETE FROM billing_audit_entries WHERE chain = 'ann' AND chain_seq > 1;
        UPDATE billing_audit_chains h
        SET last_seq = 1, last_hash = e.hash, previous_hash = NULL
        FROM billing_audit_entries e
        WHERE h.chain = 'ann' AND e.chain = 'ann' AND e.chain_seq = 1""");

    assertTrue(verifyWithoutCheckpoint().body().get("intact").asBoolean(), "the walk is fooled");
    JsonNode answer = verify(checkpoint).body();
    assertFalse(answer.get("intact").asBoolean(), answer.toString());
    assertEquals("ann", answer.at("/broken/chain").asText());
    assertEquals(2, answer.at("/broken/chain_seq").asLong());
    assertTrue(
        answer
            .at("/broken/problem")
            .asText()
            .startsWith("the chain ends at entry 1, before entry 2 the checkpoint"),
        answer.toString());
  }

  @Test
  void anAmountChangedWithTheHashesRecomputedIsCaughtAgainstACheckpointTakenBefore()
      throws SQLException {
    JsonNode checkpoint = checkpointedThenGrown();
    long head =
        (Long)
            BillingHarness.value(
                "SELECT id FROM billing_audit_entries WHERE chain = 'ann' AND chain_seq = 2");

    asSuperuser(
        """
        UPDATE billing_audit_entries SET after = jsonb_set(after, '{amount}', '200')
        WHERE chain = 'ann' AND chain_seq = 1;
        """
            + RECOMPUTE_ANN);

    assertTrue(verifyWithoutCheckpoint().body().get("intact").asBoolean(), "the walk is fooled");
    JsonNode answer = verify(checkpoint).body();
    assertFalse(answer.get("intact").asBoolean(), answer.toString());
    assertEquals(head, answer.at("/broken/id").asLong(), answer.toString());
    assertEquals(2, answer.at("/broken/chain_seq").asLong());
    assertTrue(
        answer.at("/broken/problem").asText().contains("the chain up to it was rewritten"),
        answer.toString());
  }

  /** Ann's chain linked again from its first entry, as one who may write the database could. */
  private static final String RECOMPUTE_ANN =
      """
      DO $$
      DECLARE r record; prev bytea := NULL; h bytea;
      BEGIN
        FOR r IN SELECT * FROM billing_audit_entries WHERE chain = 'ann' ORDER BY chain_seq LOOP
          h := billing_audit_hash(r.id, r.chain, r.chain_seq, r.occurred_at, r.actor_type,
                                  r.actor_id, r.org_id, r.kind, r.subject, r.before, r.after,
                                  r.reason, r.request_id, prev);
          UPDATE billing_audit_entries SET prev_hash = prev, hash = h WHERE id = r.id;
          UPDATE billing_audit_chains SET previous_hash = prev, last_hash = h
          WHERE chain = 'ann' AND last_seq = r.chain_seq;
          prev := h;
        END LOOP;
      END $$""";

  /**
   * What a checkpoint cannot see, as the docs say: entries after its heads. Ann's entry after the
   * checkpoint is cut and her chain ends at the checkpoint's head again; nothing shows it.
   */
  @Test
  void aChainCutBackToExactlyTheCheckpointsHeadStillVerifiesAgainstIt() throws SQLException {
    JsonNode checkpoint = checkpointedThenGrown();

    asSuperuser(
        """
        DELETE FROM billing_audit_entries WHERE chain = 'ann' AND chain_seq = 3;
        UPDATE billing_audit_chains h
        SET last_seq = 2, last_hash = e.hash, previous_hash = e.prev_hash
        FROM billing_audit_entries e
        WHERE h.chain = 'ann' AND e.chain = 'ann' AND e.chain_seq = 2""");

    JsonNode answer = verify(checkpoint).body();
    assertTrue(answer.get("intact").asBoolean(), answer.toString());
    assertEquals(3, answer.get("checked").asLong());
  }

  @Test
  void aCheckpointAlteredOrSignedWithAnotherKeyIsRefusedNamingItsSignature() {
    JsonNode checkpoint = checkpointedThenGrown();
    ObjectNode rolledBack = checkpoint.deepCopy();
    ((ObjectNode) rolledBack.get("heads").get(0)).put("chain_seq", 1);

    Answer altered = verify(rolledBack);

    assertEquals(422, altered.status(), altered.body().toString());
    assertEquals("checkpoint_forged", altered.body().at("/error/code").asText());
    assertEquals("signature", altered.errorField());

    billing.context.setSecret(KEY_VARIABLE, "another-key");
    Answer otherKey = verify(checkpoint);
    assertEquals(422, otherKey.status(), otherKey.body().toString());
    assertEquals("signature", otherKey.errorField());
  }

  @Test
  void aMalformedCheckpointIsRefusedNamingTheField() {
    JsonNode checkpoint = checkpointedThenGrown();
    ObjectNode badHash = checkpoint.deepCopy();
    ((ObjectNode) badHash.get("heads").get(1)).put("hash", "not hex");

    Answer answer = verify(badHash);

    assertEquals(400, answer.status(), answer.body().toString());
    assertEquals("heads[1].hash", answer.errorField());
  }

  @Test
  void withoutAKeyNoCheckpointIsMadeAndVerifySaysAnchoringIsOff() {
    JsonNode checkpoint = checkpointedThenGrown();
    billing.context.setSecret(KEY_VARIABLE, null);
    int publishedBefore = billing.context.published().size();

    Answer take = checkpoint();
    Answer verify = verify(checkpoint);
    JobRun run = billing.runAt(AuditCheckpointJob.NAME, "2026-03-10T14:00:00Z");

    assertEquals(503, take.status(), take.body().toString());
    assertEquals("audit_key_missing", take.body().at("/error/code").asText());
    assertEquals(503, verify.status(), verify.body().toString());
    assertEquals("off", verifyWithoutCheckpoint().body().get("anchoring").asText());
    assertEquals("no audit checkpoint key: anchoring is off", run.message());
    assertEquals(publishedBefore, billing.context.published().size());
  }

  @Test
  void onlyThePlatformAdminMayTakeOrCheckACheckpoint() {
    JsonNode checkpoint = checkpointedThenGrown();

    Answer take = billing.call(HttpMethod.POST, "/admin/audit/checkpoints", user("ann"), null);
    Answer verify =
        billing.call(HttpMethod.POST, "/admin/audit/verify", user("ann"), checkpoint.toString());

    assertEquals(403, take.status(), take.body().toString());
    assertEquals(403, verify.status(), verify.body().toString());
  }

  @Test
  void withAKeyVerifyWithoutACheckpointSaysNoneWasGiven() {
    grant("ann", "1");

    JsonNode answer = verifyWithoutCheckpoint().body();

    assertEquals("no_checkpoint", answer.get("anchoring").asText(), answer.toString());
    assertTrue(answer.get("checkpoint_at").isNull());
  }

  @Test
  void theJobPublishesACheckpointOncePerConfiguredInterval() {
    grant("ann", "1");

    billing.runAt(AuditCheckpointJob.NAME, "2026-03-10T13:00:00Z");
    billing.runAt(AuditCheckpointJob.NAME, "2026-03-10T13:59:00Z");
    billing.runAt(AuditCheckpointJob.NAME, "2026-03-10T14:00:00Z");

    List<String> checkpoints = checkpointsPublished();
    assertEquals(2, checkpoints.size(), checkpoints.toString());
    assertTrue(checkpoints.get(0).contains("\"at\":\"2026-03-10T13:00:00Z\""), checkpoints.get(0));
    assertTrue(checkpoints.get(1).contains("\"at\":\"2026-03-10T14:00:00Z\""), checkpoints.get(1));
  }

  @Test
  void theKeyIsNeitherAnsweredNorPublishedNorShownInTheConfig() throws Exception {
    grant("ann", "1");

    String answered = checkpoint().body().toString();
    String config = billing.billing.effectiveConfig("{}");

    assertFalse(answered.contains(KEY));
    assertFalse(billing.context.published().toString().contains(KEY));
    assertFalse(config.contains(KEY));
    assertEquals(
        "****", new ObjectMapper().readTree(config).get("auditCheckpointKey").asText(), config);
  }

  /** The checkpoint events published so far, as {@code "type payload"}. */
  private List<String> checkpointsPublished() {
    return billing.context.published().stream()
        .filter(event -> event.startsWith("billing.audit.checkpoint "))
        .toList();
  }

  private static String hmac(String key, String text) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** As the database's superuser, triggers off (session_replication_role), as an attacker may. */
  private static void asSuperuser(String sql) throws SQLException {
    try (Connection c = TestDatabase.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("SET session_replication_role = replica");
      try {
        s.execute(sql);
      } finally {
        s.execute("RESET session_replication_role");
      }
    }
  }
}
