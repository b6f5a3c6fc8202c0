-- Automatic fault credits (issue 53): a session.terminated may tell why the session ended
-- (session.reason); for the reasons faultCreditReasons lists, the organization is credited
-- what the session's last minutes cost (faultCreditPolicy), capped per organization and period
-- (faultCreditCap), once per session (io.streamspace.billing.credits.FaultCredits).
--
-- The terminate that ended the session (the first in event time; of two at one instant, the
-- greater event id's): its id, which explain points to, and the reason it told (null: none).
ALTER TABLE billing_sessions
    ADD COLUMN terminate_event_id text,
    ADD COLUMN terminate_reason   text;

-- A credit is an admin's grant (a refund's included) or a fault credit, granted by the platform's
-- terminate: same balance, same consumption order, same applications.
ALTER TABLE billing_credits
    ADD COLUMN kind text NOT NULL DEFAULT 'admin' CHECK (kind IN ('admin', 'fault'));

-- One decision per session, whatever the redeliveries, nodes or crashes: the primary key is the
-- session, inserted in the transaction that stores the session's end. credited is what the
-- credit came to after the cap (0: none was granted, credit_id null); cost what it would have
-- been without the cap. credited_from is where the credited minutes start (the session's end is
-- where they stop). period_start is the billing period of the session's end, which the cap is
-- counted in.
CREATE TABLE billing_fault_credits (
    session_id    text COLLATE "C" PRIMARY KEY,
    org_id        text COLLATE "C" NOT NULL REFERENCES billing_accounts (user_id),
    event_id      text        NOT NULL,
    reason        text        NOT NULL,
    credited_from timestamptz NOT NULL,
    ended_at      timestamptz NOT NULL CHECK (ended_at >= credited_from),
    period_start  timestamptz NOT NULL,
    currency      char(3)     NOT NULL,
    cost          numeric     NOT NULL CHECK (cost >= 0),
    credited      numeric     NOT NULL CHECK (credited >= 0 AND credited <= cost),
    capped        boolean     NOT NULL,
    credit_id     bigint REFERENCES billing_credits (id),
    decided_at    timestamptz NOT NULL,
    CHECK ((credit_id IS NULL) = (credited = 0))
);
CREATE INDEX billing_fault_credits_period ON billing_fault_credits (period_start);
CREATE UNIQUE INDEX billing_fault_credits_credit ON billing_fault_credits (credit_id);

-- What fault credits granted an organization in a period, the cap is taken from: its row is
-- locked (FOR UPDATE) before the credit is sized, so two nodes crediting one organization at
-- once never pass the cap together.
CREATE TABLE billing_fault_credit_periods (
    org_id       text COLLATE "C" NOT NULL REFERENCES billing_accounts (user_id),
    period_start timestamptz NOT NULL,
    credited     numeric     NOT NULL CHECK (credited >= 0),
    PRIMARY KEY (org_id, period_start)
);
