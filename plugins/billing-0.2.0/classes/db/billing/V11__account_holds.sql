-- Holds on billing accounts: a reason an account's sessions are suspended and new ones refused.
-- One row per hold placed, active until lifted, so the table is also the account's history of
-- suspensions and locks. An account has at most one active hold per reason: two nodes placing
-- the same hold make one row, and only the one whose insert made it announces it and suspends.
CREATE TABLE billing_account_holds (
    id        bigserial PRIMARY KEY,
    user_id   text COLLATE "C" NOT NULL REFERENCES billing_accounts (user_id),
    reason    text        NOT NULL
        CHECK (reason IN ('non_payment', 'spending_limit', 'over_limit')),
    detail    text        NOT NULL CHECK (detail <> ''), -- why, in a sentence for the user
    placed_at timestamptz NOT NULL,
    lifted_at timestamptz,
    lifted_by text,        -- 'billing' when the plugin lifted it, else the admin's user id
    lift_note text,
    CHECK ((lifted_at IS NULL) = (lifted_by IS NULL)),
    CHECK (lifted_at IS NULL OR lifted_at >= placed_at)
);
CREATE UNIQUE INDEX billing_account_holds_active
    ON billing_account_holds (user_id, reason) WHERE lifted_at IS NULL;
CREATE INDEX billing_account_holds_history ON billing_account_holds (user_id, placed_at);
