package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.audit.AuditCheckpoint;
import io.streamspace.billing.audit.AuditCheckpoint.Head;
import io.streamspace.billing.audit.AuditCheckpoints;
import io.streamspace.billing.audit.AuditLog;
import io.streamspace.billing.audit.ChainCheck;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpStatus;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Signed checkpoints of the audit chains, for the platform admin: {@code POST
 * /admin/audit/checkpoints} makes one now (and publishes it), {@code POST /admin/audit/verify}
 * walks the chains and checks them against a checkpoint the caller kept.
 */
public final class AuditCheckpointRoutes {

  private static final Pattern HASH = Pattern.compile("^[0-9a-f]{64}$");

  static final Schema AUDIT_CHECKPOINT =
      Schema.component(
          "AuditCheckpoint",
          object()
              .req("at", string().format("date-time").description("when it was taken"))
              .req(
                  "heads",
                  array(
                          object()
                              .req(
                                  "chain",
                                  string()
                                      .description(
                                          "the organization's id; `''` for platform-wide changes"))
                              .req("chain_seq", integer().min(1).description("its head's place"))
                              .req(
                                  "hash",
                                  string()
                                      .pattern("^[0-9a-f]{64}$")
                                      .description("hex SHA-256 of the entry at that place")))
                      .description("every chain's head when it was taken, by chain"))
              .req(
                  "signature",
                  string()
                      .pattern("^[0-9a-f]{64}$")
                      .description(
                          """
                          hex HMAC-SHA256, under the key `auditCheckpointKey`, of the JSON array \
                          `[event, at, [[chain, chain_seq, hash], …]]`, event the name \
                          `billing.audit.checkpoint` \
                          (heads by chain)""")));

  private final AuditLog log;
  private final AuditCheckpoints checkpoints;

  public AuditCheckpointRoutes(AuditLog log, AuditCheckpoints checkpoints) {
    this.log = log;
    this.checkpoints = checkpoints;
  }

  public void register(DescribedRoutes routes) {
    routes.add(TAKE, JsonRoute.creating(this::take));
    routes.add(VERIFY, JsonRoute.of(this::verify));
  }

  static final Operation TAKE =
      Operation.post("/admin/audit/checkpoints")
          .admin()
          .summary("Take a signed checkpoint of the audit chains")
          .description(
              """
              Who: admin.

              No body. → 201 the checkpoint: every chain's head now (`chain`, `chain_seq`, \
              `hash`), `at`, and the `signature` under the key `auditCheckpointKey` (environment \
              `BILLING_AUDIT_KEY`), which the database never holds; also published as event \
              `billing.audit.checkpoint`. Keep it outside the billing database and hand it to \
              `POST /admin/audit/verify` later. A retry with the first request's \
              `Idempotency-Key` answers that checkpoint again. 503 `audit_key_missing` while no \
              key is set (anchoring off).""")
          .params(Param.IDEMPOTENCY_KEY)
          .answers(201, AUDIT_CHECKPOINT)
          .answers(503, Response.refusal("audit_key_missing while no checkpoint key is set"));

  /** 201 with the checkpoint, published; 503 without a key; 401/403 unless admin. */
  AuditCheckpoint take(HttpRequest request) throws Exception {
    Access.admin(request);
    return checkpoints.publish().orElseThrow(AuditCheckpointRoutes::keyMissing);
  }

  static final Operation VERIFY =
      Operation.post("/admin/audit/verify")
          .admin()
          .summary("Verify the audit trail against a signed checkpoint")
          .description(
              """
              Who: admin.

              The body: a checkpoint as `POST /admin/audit/checkpoints` answered it or event \
              `billing.audit.checkpoint` carried it. Walks every chain as `GET` does, and checks \
              that each chain of the checkpoint still holds its head: an entry at `chain_seq` \
              whose hash is the checkpoint's. Answers as `GET`, `anchoring` `checkpoint` and \
              `checkpoint_at`; a head no longer held is the `broken` link (when the walk found \
              none): its chain deleted, its end cut before the head, or the chain up to it \
              rewritten with its hashes recomputed. What it cannot see: any change after the \
              checkpoint's heads. 400 naming the field of a malformed checkpoint; 422 \
              `checkpoint_forged` (field `signature`) for one not signed with the key, or \
              altered; 503 `audit_key_missing` while no key is set.""")
          .body(AUDIT_CHECKPOINT)
          .answers(200, AuditRoutes.AUDIT_CHECK)
          .errors(400)
          .answers(422, Response.refusal("checkpoint_forged: not signed with the key"))
          .answers(503, Response.refusal("audit_key_missing while no checkpoint key is set"));

  /** 200 with the walk and the checkpoint's heads; 400; 422 forged; 503 without a key. */
  ChainCheck verify(HttpRequest request) throws Exception {
    Access.admin(request);
    AuditCheckpoint checkpoint = checkpoint(Json.readObject(request));
    if (!checkpoints.anchoring()) {
      throw keyMissing();
    }
    if (!checkpoints.signed(checkpoint)) {
      throw new ApiException(
          HttpStatus.UNPROCESSABLE_CONTENT,
          "checkpoint_forged",
          "the checkpoint's signature is not the audit key's: it was not made with this key, or"
              + " it was altered",
          "signature");
    }
    ChainCheck walk = log.verify();
    return walk.against(checkpoint.at(), checkpoints.check(checkpoint).orElse(null));
  }

  static ApiException keyMissing() {
    return new ApiException(
        HttpStatus.SERVICE_UNAVAILABLE,
        "audit_key_missing",
        "no audit checkpoint key is set (auditCheckpointKey, BILLING_AUDIT_KEY): anchoring is off");
  }

  /** The checkpoint of the body, each part well-formed; 400 naming the first that is not. */
  static AuditCheckpoint checkpoint(JsonNode body) {
    Instant at;
    try {
      at = Instant.parse(text(body, "at", "at"));
    } catch (DateTimeParseException e) {
      throw ApiException.badParameter("at", "at must be an ISO instant");
    }
    JsonNode given = body.get("heads");
    if (given == null || !given.isArray()) {
      throw ApiException.badParameter("heads", "heads must be an array of chain heads");
    }
    List<Head> heads = new ArrayList<>();
    Set<String> chains = new HashSet<>();
    for (int i = 0; i < given.size(); i++) {
      JsonNode head = given.get(i);
      String place = "heads[" + i + "]";
      if (!head.isObject()) {
        throw ApiException.badParameter(place, place + " must be an object");
      }
      String chain = text(head, "chain", place + ".chain");
      if (!chains.add(chain)) {
        throw ApiException.badParameter(place + ".chain", "chain " + chain + " is given twice");
      }
      JsonNode seq = head.get("chain_seq");
      if (seq == null || !seq.isIntegralNumber() || !seq.canConvertToLong() || seq.asLong() < 1) {
        throw ApiException.badParameter(
            place + ".chain_seq", place + ".chain_seq must be a whole number from 1");
      }
      heads.add(new Head(chain, seq.asLong(), hex(head, "hash", place + ".hash")));
    }
    return new AuditCheckpoint(at, heads, hex(body, "signature", "signature"));
  }

  private static String hex(JsonNode object, String member, String field) {
    String value = text(object, member, field).toLowerCase(Locale.ROOT);
    if (!HASH.matcher(value).matches()) {
      throw ApiException.badParameter(field, field + " must be 64 hex digits");
    }
    return value;
  }

  private static String text(JsonNode object, String member, String field) {
    JsonNode value = object.get(member);
    if (value == null || !value.isTextual()) {
      throw ApiException.badParameter(field, field + " must be a string");
    }
    return value.asText();
  }
}
