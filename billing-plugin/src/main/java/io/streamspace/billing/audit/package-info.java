/**
 * The audit trail: every change of money or of what decides money leaves one append-only entry
 * ({@link io.streamspace.billing.audit.AuditEntry}: when, {@link
 * io.streamspace.billing.audit.Cause who and why}, which organization, what, before and after),
 * written by {@link io.streamspace.billing.audit.AuditTrail} on the connection of the change, so
 * that the two commit or roll back together: no change without its entry, no entry without its
 * change. {@link io.streamspace.billing.audit.AuditLog} reads it for the admin and verifies it.
 *
 * <h2>Why these choices</h2>
 *
 * <ul>
 *   <li><b>Append-only in the database, not by convention.</b> A trigger refuses UPDATE, DELETE
 *       and TRUNCATE of {@code billing_audit_entries} for every role, the plugin's own and a
 *       superuser's included; the privileges are revoked from PUBLIC and from the role that ran
 *       the migrations as well, which binds an application role that is not the table's owner.
 *       A superuser (the tests connect as one) ignores privileges and may turn triggers off
 *       ({@code session_replication_role}), and an owner may disable them: what then still
 *       shows the edit is the hash chain.
 *   <li><b>A chain per organization, plus one for platform-wide changes</b> (organization null:
 *       chain {@code ''}). Each entry holds its place in its chain, the previous entry's hash
 *       and its own: SHA-256 over its fields in a fixed canonical text (a JSON array; jsonb's
 *       text is canonical and the instant is written in UTC) followed by the previous hash. One
 *       global chain would make every writer wait for the one head row until its transaction
 *       commits: a generate-invoices run writing 100,000 entries would hold every admin action
 *       of every organization for its whole length. With a head per organization, changes of
 *       one organization take turns (they take its account's lock anyway) and others never wait.
 *   <li><b>The database links the chain</b>, in a BEFORE INSERT row trigger ({@code
 *       billing_audit_link}, one upsert of the head row), so that set-based statements write
 *       their entries set-based: generate-invoices' single INSERT … SELECT of every draft
 *       inserts their {@code invoice.created} entries in the same statement, and a finalization
 *       chunk writes its 250 {@code invoice.finalized} entries in one statement. The Java side
 *       never computes a hash and so cannot disagree with the verifier, which recomputes them
 *       with the same SQL function ({@code billing_audit_hash}).
 *   <li><b>One order of the heads.</b> A set-based writer takes many heads in one transaction;
 *       each writes its entries by organization ({@code AuditTrail.recordAll}, the drafts'
 *       statement), as finalization already locks its chunk's accounts, so two writers that
 *       share organizations wait for each other rather than deadlock.
 *   <li><b>Verification</b> walks every chain in one statement (a window over each chain in its
 *       order): a missing place, a previous hash that is not the previous entry's, a hash that is
 *       not its content's, or a head that counts entries no longer there; the broken link with
 *       the lowest id is reported.
 *   <li><b>Anchored outside the database.</b> Whoever may write the database can rewrite a chain
 *       so that the walk holds (hashes computed again, the tail and the head cut back, a chain
 *       deleted with its head). {@link io.streamspace.billing.audit.AuditCheckpoints} signs every
 *       chain's head with an HMAC key read from the environment ({@code BILLING_AUDIT_KEY}),
 *       which the database never holds; the platform keeps the checkpoints it is sent, and hands
 *       one back to verify: each head must still be there with its hash, which vouches for every
 *       entry before it. Heads listed in the checkpoint, not a digest of them, so that a check
 *       needs nothing the database keeps; at 100,000 organizations a checkpoint is about 10 MB,
 *       a digest with the heads kept apart would be the next step if that matters.
 * </ul>
 *
 * <h2>What it costs</h2>
 *
 * Measured on the shared, busy 2-core machine of this change's development (embedded PostgreSQL,
 * {@code AuditCostBenchmark} and {@code FinalizationBenchmark}, 10,000 to 20,000 accounts): an
 * entry costs 70 to 120 µs when written set-based; generate-invoices' drafts statement took
 * 1.5 to 1.9 × its time without entries; finalization (chunks of 250, no usage) spent 195 µs an
 * invoice of its 971 µs on its entries (20 %). At the benchmark's 100,000 accounts that is about
 * 10 to 20 s more than run F's 65.6 s. A next step, if it matters: compute the chain fields of a
 * whole set-based statement at once instead of a trigger call per row.
 */
package io.streamspace.billing.audit;
