-- Pack notices sent: one row per purchase, notice and end of validity. check-quotas inserts the
-- row (ON CONFLICT DO NOTHING) before it publishes billing.pack.expiring or billing.pack.expired,
-- and publishes only when its insert made the row: a re-run, a second node or a restart finds
-- it and sends nothing. A renewal moves the end, so the new end gets its own notices.
CREATE TABLE billing_pack_notices (
    purchase_id bigint      NOT NULL REFERENCES billing_pack_purchases (id),
    kind        text        NOT NULL CHECK (kind IN ('expiring', 'expired')),
    valid_until timestamptz NOT NULL,
    sent_at     timestamptz NOT NULL,
    PRIMARY KEY (purchase_id, kind, valid_until)
);
