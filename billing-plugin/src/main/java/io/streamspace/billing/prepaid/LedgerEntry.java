package io.streamspace.billing.prepaid;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * An entry of a prepaid balance as stored and shown.
 *
 * @param kind {@link EntryKind#value()}
 * @param amount signed: money in positive, out negative
 * @param balanceAfter the balance the entry left
 * @param actorType who made it, as the audit trail names actors ({@code admin}, {@code job}...)
 * @param actorId the admin's or user's id, the job's name; null for the platform
 * @param source where it comes from, unique: {@code invoice:42}, an admin's grant's key
 * @param invoiceId the invoice it paid or gave back; null for other kinds
 * @param invoiceNumber that invoice's number; null for other kinds, and when posted (the
 *     finalization numbers the invoice after its balance paid it)
 */
public record LedgerEntry(
    long id,
    String kind,
    BigDecimal amount,
    BigDecimal balanceAfter,
    String reason,
    String actorType,
    String actorId,
    String source,
    Long invoiceId,
    String invoiceNumber,
    Instant createdAt) {}
