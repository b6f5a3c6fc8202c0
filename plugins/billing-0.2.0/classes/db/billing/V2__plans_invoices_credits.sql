-- Plans, invoices and credits. Amounts are NUMERIC without scale; an invoice line's amount is
-- rounded once, to the invoice currency's minor unit, when the line is computed (Money).

-- The plan an account is on, over time. Each row keeps the plan's terms as they were when it
-- started, so a later change to the configured plan does not rewrite what was billed.
CREATE TABLE billing_subscriptions (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id          text COLLATE "C" NOT NULL REFERENCES billing_accounts (user_id),
    plan_id          text        NOT NULL,
    plan_name        text        NOT NULL,
    price            numeric     NOT NULL CHECK (price >= 0),
    currency         char(3)     NOT NULL,
    billing_interval text        NOT NULL CHECK (billing_interval IN ('month', 'year')),
    cpu_limit        numeric CHECK (cpu_limit >= 0),     -- null: unlimited
    memory_limit     numeric CHECK (memory_limit >= 0),
    storage_limit    numeric CHECK (storage_limit >= 0),
    started_at       timestamptz NOT NULL,
    ended_at         timestamptz CHECK (ended_at >= started_at), -- null while active
    stripe_subscription_id text
);
-- At most one active subscription per account...
CREATE UNIQUE INDEX billing_subscriptions_one_active
    ON billing_subscriptions (user_id) WHERE ended_at IS NULL;
CREATE INDEX billing_subscriptions_history ON billing_subscriptions (user_id, started_at);

-- ...and at least one: checked when the transaction commits, so that opening an account and its
-- first subscription, or ending one plan and starting the next, happen together.
CREATE FUNCTION billing_require_active_subscription() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    account text := CASE WHEN TG_TABLE_NAME = 'billing_accounts' THEN NEW.user_id
                         ELSE COALESCE(NEW.user_id, OLD.user_id) END;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM billing_subscriptions
                    WHERE user_id = account AND ended_at IS NULL) THEN
        RAISE EXCEPTION 'account % has no active subscription', account
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER billing_accounts_have_a_subscription
    AFTER INSERT ON billing_accounts DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION billing_require_active_subscription();
CREATE CONSTRAINT TRIGGER billing_subscriptions_keep_one_active
    AFTER UPDATE OR DELETE ON billing_subscriptions DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION billing_require_active_subscription();

-- Accounts opened before this migration get their plan as a subscription; the account's
-- plan_id column is then derivable and goes.
INSERT INTO billing_subscriptions (user_id, plan_id, plan_name, price, currency, billing_interval,
                                   started_at)
SELECT user_id, plan_id, plan_id, 0, currency, 'month', created_at FROM billing_accounts;
ALTER TABLE billing_accounts DROP COLUMN plan_id;

-- Invoices. A draft has no number; finalizing assigns the next gapless number under a lock.
CREATE EXTENSION IF NOT EXISTS btree_gist; -- trusted: a database owner may create it
CREATE TABLE billing_invoices (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         text COLLATE "C" NOT NULL REFERENCES billing_accounts (user_id),
    period_start    timestamptz NOT NULL,
    period_end      timestamptz NOT NULL CHECK (period_end > period_start),
    currency        char(3)     NOT NULL,
    status          text        NOT NULL
        CHECK (status IN ('draft', 'sent', 'paid', 'overdue', 'void')),
    invoice_number  text UNIQUE,
    subtotal        numeric     NOT NULL DEFAULT 0,
    credits_applied numeric     NOT NULL DEFAULT 0 CHECK (credits_applied >= 0),
    total           numeric     NOT NULL DEFAULT 0 CHECK (total >= 0),
    finalize_after  timestamptz NOT NULL, -- period end + the grace for late usage
    finalized_at    timestamptz,
    due_at          timestamptz,
    paid_at         timestamptz,
    voided_at       timestamptz,
    status_note     text,
    created_at      timestamptz NOT NULL,
    CHECK ((status = 'draft') = (finalized_at IS NULL) OR status = 'void'),
    CHECK (status = 'draft' OR status = 'void' OR invoice_number IS NOT NULL),
    CHECK (status <> 'draft' OR invoice_number IS NULL),
    -- one invoice per account and period, and no two covering the same instant (void ones aside)
    CONSTRAINT billing_invoices_no_overlap EXCLUDE USING gist
        (user_id WITH =, tstzrange(period_start, period_end) WITH &&) WHERE (status <> 'void')
);
CREATE UNIQUE INDEX billing_invoices_one_per_period
    ON billing_invoices (user_id, period_start) WHERE status <> 'void';
CREATE INDEX billing_invoices_open ON billing_invoices (status, finalize_after)
    WHERE status IN ('draft', 'sent');

CREATE TABLE billing_invoice_lines (
    invoice_id    bigint  NOT NULL REFERENCES billing_invoices (id),
    line_no       int     NOT NULL,
    kind          text    NOT NULL CHECK (kind IN ('plan_fee', 'usage', 'overage', 'credit')),
    description   text    NOT NULL,
    resource_type text,              -- usage and overage lines
    quantity      numeric,           -- in unit, for usage and overage lines
    unit          text,
    unit_price    numeric,
    amount        numeric NOT NULL,  -- rounded to the currency's minor unit; credits negative
    period_start  timestamptz,       -- what the line covers (a prorated plan fee: part of it)
    period_end    timestamptz,
    PRIMARY KEY (invoice_id, line_no)
);

-- The last number issued per year: finalization increments it in its own transaction, so a
-- rollback gives the number back and none is skipped; the row lock serializes nodes.
CREATE TABLE billing_invoice_numbers (
    year        int    PRIMARY KEY,
    last_number bigint NOT NULL CHECK (last_number >= 0)
);

-- Each usage record is billed on exactly one invoice: finalization claims the unbilled records
-- of the account up to the period's end, so late usage lands on the next invoice, once.
ALTER TABLE billing_usage_records ADD COLUMN invoice_id bigint REFERENCES billing_invoices (id);

-- Credits granted by admins, consumed earliest expiry first, then oldest. remaining is kept
-- (and checked never to go below zero) so that concurrent invoice runs serialize on the
-- credit rows; billing_credit_applications explains it line by line.
CREATE TABLE billing_credits (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    text COLLATE "C" NOT NULL REFERENCES billing_accounts (user_id),
    amount     numeric     NOT NULL CHECK (amount > 0),
    remaining  numeric     NOT NULL CHECK (remaining >= 0 AND remaining <= amount),
    currency   char(3)     NOT NULL,
    reason     text        NOT NULL CHECK (length(reason) > 0),
    granted_by text        NOT NULL,
    granted_at timestamptz NOT NULL,
    expires_at timestamptz
);
CREATE INDEX billing_credits_user ON billing_credits (user_id, expires_at, granted_at);

CREATE TABLE billing_credit_applications (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    credit_id  bigint      NOT NULL REFERENCES billing_credits (id),
    invoice_id bigint      NOT NULL REFERENCES billing_invoices (id),
    amount     numeric     NOT NULL CHECK (amount > 0),
    applied_at timestamptz NOT NULL,
    UNIQUE (credit_id, invoice_id)
);
