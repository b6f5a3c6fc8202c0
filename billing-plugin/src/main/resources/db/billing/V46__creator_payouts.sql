-- Creators' payouts (io.streamspace.billing.store.payout): what each creator is owed for a closed
-- month, sent to their Stripe connected account as a Connect transfer.

-- the connected account a creator is paid to ('acct_…'), set by the creator
CREATE TABLE billing_creator_payout_accounts (
    creator_id     text COLLATE "C" PRIMARY KEY CHECK (length(creator_id) > 0),
    stripe_account text        NOT NULL CHECK (stripe_account ~ '^acct_[A-Za-z0-9]{1,250}$'),
    set_at         timestamptz NOT NULL
);

-- one payout per creator, month and currency: a second run of a month adds nothing. A payout is
-- 'pending' until its first try and while its creator has no account, 'failed' after a try Stripe
-- refused or could not answer (tried again from next_attempt_at; never again when that is null),
-- 'paid' once Stripe made its transfer. Every try sends the payout's idempotency key,
-- 'creator-payout-<id>', or idempotency_key once set: a new key is only taken after Stripe refused
-- a try outright (no transfer was made under the old one).
CREATE TABLE billing_creator_payouts (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    creator_id         text COLLATE "C" NOT NULL CHECK (length(creator_id) > 0),
    period             date        NOT NULL CHECK (extract(day FROM period) = 1),
    currency           char(3)     NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    -- the amount due in the currency, exactly as the statement owes it (Stripe gets it in its
    -- minor unit of the currency: cents for USD, whole dong for VND)
    amount             numeric(20, 4) NOT NULL CHECK (amount > 0),
    status             text        NOT NULL CHECK (status IN ('pending', 'failed', 'paid')),
    attempts           int         NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at    timestamptz,
    -- what went wrong last: a short sentence, never a key or a secret
    last_error         text        CHECK (length(last_error) <= 500),
    idempotency_key    text        CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    stripe_transfer_id text        CHECK (stripe_transfer_id ~ '^tr_[A-Za-z0-9]+$'),
    created_at         timestamptz NOT NULL,
    paid_at            timestamptz CHECK (paid_at >= created_at),
    UNIQUE (creator_id, period, currency),
    UNIQUE (idempotency_key),
    CHECK ((status = 'paid') = (stripe_transfer_id IS NOT NULL)),
    CHECK ((status = 'paid') = (paid_at IS NOT NULL)),
    CHECK (status <> 'paid' OR next_attempt_at IS NULL),
    CHECK (status <> 'failed' OR (attempts > 0 AND last_error IS NOT NULL))
);
-- the payouts to send: not paid, due by their next attempt
CREATE INDEX billing_creator_payouts_due
    ON billing_creator_payouts (next_attempt_at, id) WHERE status <> 'paid';
CREATE INDEX billing_creator_payouts_creator ON billing_creator_payouts (creator_id, period DESC);
CREATE INDEX billing_creator_payouts_status ON billing_creator_payouts (status, period DESC, id);
