-- The wind-down of a prepaid organization (issue 52): warned when its balance's runway falls
-- under warnMinutes, held at zero, its sessions suspended (snapshot) and billed for storage only
-- while held, resumed when money arrives.
--
-- At zero the organization is held for 'balance_exhausted' (V11's holds, its sessions suspended
-- through the host). The hold's row is also the interval its sessions are billed storage-only
-- for, [placed_at, lifted_at): rating and live cost cut it out of their cpu, memory and held
-- meters, whenever a session's events arrive. Its partial index finds an organization's few such
-- holds; most organizations have none.
ALTER TABLE billing_account_holds DROP CONSTRAINT billing_account_holds_reason_check;
ALTER TABLE billing_account_holds ADD CONSTRAINT billing_account_holds_reason_check
    CHECK (reason IN ('non_payment', 'spending_limit', 'over_limit', 'balance_exhausted'));
CREATE INDEX billing_account_holds_balance ON billing_account_holds (user_id, placed_at)
    WHERE reason = 'balance_exhausted';

-- One row per low-balance episode: opened when check-balances first finds the runway under
-- warnMinutes (billing.balance.low is published by the node whose insert made the row, so once
-- across nodes), ended when it finds it back above, so the next fall warns again.
CREATE TABLE billing_balance_low (
    id             bigserial PRIMARY KEY,
    org_id         text COLLATE "C" NOT NULL REFERENCES billing_accounts (user_id),
    currency       char(3)     NOT NULL,
    balance        numeric     NOT NULL, -- the live balance when it was found low
    runway_seconds bigint      NOT NULL CHECK (runway_seconds >= 0),
    warned_at      timestamptz NOT NULL,
    ended_at       timestamptz CHECK (ended_at >= warned_at)
);
CREATE UNIQUE INDEX billing_balance_low_open ON billing_balance_low (org_id)
    WHERE ended_at IS NULL;
