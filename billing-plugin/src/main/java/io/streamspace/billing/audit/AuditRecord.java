package io.streamspace.billing.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** An entry as stored, with its place in its chain and the hashes in hex. */
public record AuditRecord(
    long id,
    Instant occurredAt,
    String actorType,
    String actorId,
    String orgId,
    String kind,
    String subject,
    JsonNode before,
    JsonNode after,
    String reason,
    String requestId,
    long chainSeq,
    String prevHash,
    String hash) {}
