-- The signed audit checkpoints the plugin made (io.streamspace.billing.audit.AuditCheckpoints):
-- when, of how many chains, and the signature. A checkpoint itself (each chain's head: its place
-- and hash) is published to the platform (billing.audit.checkpoint) and answered to the admin who
-- asked for it, and kept by them, outside this database, where it anchors the chains. A row here
-- proves nothing: whoever controls the database may edit it. It is only how the
-- audit-checkpoint job knows when the last one was made.
CREATE TABLE billing_audit_checkpoints (
    id        bigserial   PRIMARY KEY,
    taken_at  timestamptz NOT NULL,
    chains    integer     NOT NULL,
    signature text        NOT NULL
);

CREATE INDEX billing_audit_checkpoints_taken ON billing_audit_checkpoints (taken_at);
