-- Overage confirmations: an account's owner (or an admin) agreed that a soft counter may go on
-- past its included amount, billed as overage, for one billing period. Keyed by the period's
-- start, so the next period starts unconfirmed; the first confirmation of a period is kept.
CREATE TABLE billing_overage_confirmations (
    user_id      text COLLATE "C" NOT NULL,
    meter        text COLLATE "C" NOT NULL,
    period_start timestamptz NOT NULL,
    confirmed_by text COLLATE "C" NOT NULL,
    confirmed_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, period_start, meter)
);
