-- The creators' ledger of the add-on store (io.streamspace.billing.store.sales): one row per line
-- of a creator's statement (io.streamspace.billing.store.share.StatementLine), in the currency of
-- the purchase, amounts in its minor unit (USD cents, whole VND). A sale line is a purchase's
-- split between the platform and its creator (RevenueShare.split, with the share table of its
-- currency and the creator's counters of its period); a refund or chargeback line takes it back
-- (RevenueShare.clawBack: every figure negated). Payout and adjustment lines need no purchase.
-- Balances and statements are sums of these rows: nothing is stored twice.
CREATE TABLE billing_store_sales (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    purchase_id    bigint REFERENCES billing_store_purchases (id),
    creator_id     text COLLATE "C" NOT NULL CHECK (length(creator_id) > 0),
    kind           text        NOT NULL
                   CHECK (kind IN ('sale', 'refund', 'chargeback', 'payout', 'adjustment')),
    -- when it counts: a sale when it became effective (the purchase's access_from), a claw-back
    -- when it was refunded or charged back
    at             timestamptz NOT NULL,
    currency       char(3)     NOT NULL,
    gross          numeric(16, 2) NOT NULL,
    platform_share numeric(16, 2) NOT NULL,
    creator_share  numeric(16, 2) NOT NULL,
    -- the label of the highest tier a sale reached (Tier.label: "15% from 1000000.00")
    tier           text,
    -- an adjustment's why and who; a payout's note, if any
    reason         text,
    actor          text,
    recorded_at    timestamptz NOT NULL,
    CHECK ((kind = 'sale') = (tier IS NOT NULL)),
    CHECK ((kind IN ('payout', 'adjustment')) = (purchase_id IS NULL)),
    CHECK ((kind = 'adjustment') = (reason IS NOT NULL AND actor IS NOT NULL)),
    -- the signs of StatementLine
    CHECK (kind <> 'sale' OR (gross > 0 AND platform_share >= 0 AND creator_share >= 0)),
    CHECK (kind NOT IN ('refund', 'chargeback')
           OR (gross < 0 AND platform_share <= 0 AND creator_share <= 0)),
    CHECK (kind <> 'payout' OR (gross = 0 AND platform_share = 0 AND creator_share < 0)),
    -- the platform and the creator share the gross exactly, to the minor unit
    CHECK (kind IN ('payout', 'adjustment') OR platform_share + creator_share = gross)
);
-- a purchase is sold at most once
CREATE UNIQUE INDEX billing_store_sales_sold_once ON billing_store_sales (purchase_id)
    WHERE kind = 'sale';
-- and clawed back whole at most once (a refund or a chargeback, not both): partial refunds are
-- not built
CREATE UNIQUE INDEX billing_store_sales_clawed_back_once ON billing_store_sales (purchase_id)
    WHERE kind IN ('refund', 'chargeback');
-- a creator's statements and period counters
CREATE INDEX billing_store_sales_creator ON billing_store_sales (creator_id, currency, at);
-- the admin's revenue of a month, every creator
CREATE INDEX billing_store_sales_at ON billing_store_sales (at);
-- the admin's popular items of a month: the purchases that took effect in it
CREATE INDEX billing_store_purchases_effective ON billing_store_purchases (access_from)
    WHERE status = 'active';
