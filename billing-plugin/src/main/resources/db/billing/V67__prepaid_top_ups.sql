-- Money into prepaid balances through Stripe (issue 52): Checkout top-ups, and auto top-ups that
-- charge the saved payment method off-session when a balance falls below its owner's threshold.

-- An organization's auto top-up rule, one at most, in the currency of its balance, set by its
-- Owner (PUT /top-up-rule). Exactly one of target (bring the balance to it) and amount (add this
-- much). The Owner's consent is kept with it: who, when and the terms in words, as the answer
-- showed them and the audit entry (top_up_rule.set) keeps them.
--
-- crossed_at is when the balance was last found below the threshold (its "crossing"), null while
-- it is not: a crossing is topped up by charges (attempts) until the balance is back at or above
-- the threshold. halted says why the current crossing charges no more for now: no payment method
-- (until one is saved), the attempts of the retry schedule declined (until a new card), or the
-- monthly cap reached (until the month halted_month is over), so each is told once a crossing.
CREATE TABLE billing_top_up_rules (
    org_id        text COLLATE "C" PRIMARY KEY REFERENCES billing_accounts (user_id),
    currency      char(3)     NOT NULL,
    threshold     numeric     NOT NULL CHECK (threshold > 0),
    target        numeric     CHECK (target > threshold),
    amount        numeric     CHECK (amount > 0),
    max_per_month numeric     NOT NULL CHECK (max_per_month > 0),
    consented_by  text        NOT NULL,
    consented_at  timestamptz NOT NULL,
    terms         text        NOT NULL,
    crossed_at    timestamptz,
    halted        text CHECK (halted IN ('no_payment_method', 'declined', 'monthly_cap')),
    halted_month  date,
    CHECK ((target IS NULL) <> (amount IS NULL)),
    CHECK (halted IS NULL OR crossed_at IS NOT NULL),
    CHECK ((halted = 'monthly_cap') = (halted_month IS NOT NULL))
);

-- The auto top-up charges: one row per attempt to charge an organization's saved payment method
-- off-session, inserted when a check finds its balance below the threshold (after a ledger entry
-- that lowered it, and by collect-payments each minute), worked off by collect-payments as the
-- invoice collection queue is (leased claims, the same backoff, one idempotency key per attempt:
-- top-up-<id>). At most one attempt of an organization is pending or sent at a time (the partial
-- unique index), so two nodes never charge one crossing twice. amount is chosen at the first try
-- (what brings the balance to the target, within what the month has left of max_per_month) and
-- sent again on every later try; month is the calendar month, in the billing time zone, it counts
-- against. succeeded: the PaymentIntent took the money and the balance has it (entry source
-- payment_intent:<id>); sent: Stripe is processing it; failed: declined, no payment method, or the
-- monthly cap (reason); cancelled: not needed any more (the balance was topped up otherwise, the
-- rule removed).
CREATE TABLE billing_top_up_charges (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id            text COLLATE "C" NOT NULL REFERENCES billing_accounts (user_id),
    currency          char(3)     NOT NULL,
    crossed_at        timestamptz NOT NULL,
    attempt           integer     NOT NULL CHECK (attempt >= 1),
    state             text        NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sent', 'succeeded', 'failed', 'cancelled')),
    due_at            timestamptz NOT NULL,
    tries             integer     NOT NULL DEFAULT 0,
    amount            numeric     CHECK (amount > 0),
    month             date,
    payment_method    text,
    payment_intent_id text UNIQUE,
    reason            text,
    last_error        text,
    first_sent_at     timestamptz,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    CHECK ((amount IS NULL) = (month IS NULL)),
    UNIQUE (org_id, crossed_at, attempt)
);
CREATE UNIQUE INDEX billing_top_up_charges_in_flight ON billing_top_up_charges (org_id)
    WHERE state IN ('pending', 'sent');
CREATE INDEX billing_top_up_charges_due ON billing_top_up_charges (due_at)
    WHERE state = 'pending';
CREATE INDEX billing_top_up_charges_month ON billing_top_up_charges (org_id, month)
    WHERE month IS NOT NULL;

-- Each top-up Stripe was paid for (a Checkout Session's or an auto top-up's PaymentIntent), as
-- its balance got it: what was paid (gross, tax included) and what the balance was credited (net
-- of tax, source the ledger entry's). A refund at Stripe takes back the refunded share of net
-- (net x refunded / gross), at most what the balance has available: taken_back is what the
-- balance gave back (refund entries), unrecovered what it could not, already spent.
CREATE TABLE billing_top_ups (
    payment_intent_id text PRIMARY KEY,
    org_id            text COLLATE "C" NOT NULL REFERENCES billing_accounts (user_id),
    currency          char(3)     NOT NULL,
    source            text        NOT NULL UNIQUE,
    gross             numeric     NOT NULL CHECK (gross > 0),
    net               numeric     NOT NULL CHECK (net > 0 AND net <= gross),
    refunded          numeric     NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= gross),
    taken_back        numeric     NOT NULL DEFAULT 0 CHECK (taken_back >= 0),
    unrecovered       numeric     NOT NULL DEFAULT 0 CHECK (unrecovered >= 0),
    created_at        timestamptz NOT NULL,
    CHECK (taken_back + unrecovered <= net)
);

-- A top-up's Checkout Session, applied once as the others are.
ALTER TABLE billing_stripe_checkouts DROP CONSTRAINT billing_stripe_checkouts_kind_check;
ALTER TABLE billing_stripe_checkouts ADD CONSTRAINT billing_stripe_checkouts_kind_check
    CHECK (kind IN ('plan', 'pack', 'store', 'top_up'));
