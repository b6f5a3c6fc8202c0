-- Purchases of store items (io.streamspace.billing.store.purchase). A purchase keeps the item as
-- bought (version, name, creator, sale model, price and currency), so a later version, price or
-- delisting never changes what was bought. The buyer is an organization (billing account); its
-- Owner bought it (bought_by), or the user of a personal organization.
--
-- Its entitlement is the access it gives: from access_from until access_until (null: for good),
-- while it is active; a refund ends the access at once ('refunded'). A purchase paid through
-- Stripe Checkout is stored when its session completes paid, never before.
CREATE TABLE billing_store_purchases (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id       text COLLATE "C" NOT NULL REFERENCES billing_accounts (user_id),
    bought_by        text COLLATE "C" NOT NULL CHECK (length(bought_by) > 0),
    item_id          bigint      NOT NULL REFERENCES billing_store_items (id),
    version_id       bigint      NOT NULL REFERENCES billing_store_item_versions (id),
    item_name        text        NOT NULL,
    creator_id       text COLLATE "C" NOT NULL,
    sale_kind        text        NOT NULL CHECK (sale_kind IN ('one_time', 'time_limited', 'free')),
    sale_days        int         CHECK (sale_days BETWEEN 1 AND 3650),
    price            numeric     NOT NULL CHECK (price >= 0), -- at most its currency's decimals
    currency         char(3)     NOT NULL,
    -- how it is paid: on the organization's next invoice (a line of kind 'store' that
    -- finalization claims, invoice_id), at once through Stripe Checkout, or not at all (free)
    pay              text        NOT NULL CHECK (pay IN ('invoice', 'checkout', 'free')),
    purchased_at     timestamptz NOT NULL,
    status           text        NOT NULL CHECK (status IN ('active', 'refunded')),
    access_from      timestamptz NOT NULL CHECK (access_from >= purchased_at),
    access_until     timestamptz CHECK (access_until > access_from),
    invoice_id       bigint REFERENCES billing_invoices (id),
    -- paid through Checkout: its session (applied once) and the payment a refund gives back
    checkout_session text UNIQUE,
    payment_intent   text,
    refunded_at      timestamptz CHECK (refunded_at >= purchased_at),
    refunded_by      text,
    refund_reason    text,
    -- the billing.entitlement.expired event went out (check-quotas, or the refund)
    expiry_announced boolean     NOT NULL DEFAULT false,
    CHECK ((sale_kind = 'time_limited') = (sale_days IS NOT NULL)),
    CHECK ((sale_kind = 'free') = (pay = 'free' AND price = 0)),
    CHECK ((sale_kind = 'time_limited') = (access_until IS NOT NULL)),
    CHECK ((status = 'refunded') = (refunded_at IS NOT NULL AND refund_reason IS NOT NULL)),
    CHECK (invoice_id IS NULL OR pay = 'invoice'),
    CHECK ((pay = 'checkout') = (checkout_session IS NOT NULL AND payment_intent IS NOT NULL))
);
-- an organization's entitlements, and whether it already has the item
CREATE INDEX billing_store_purchases_account ON billing_store_purchases (account_id, item_id);
-- the charges finalization claims: an organization's unbilled store purchases
CREATE INDEX billing_store_purchases_unbilled ON billing_store_purchases (account_id, purchased_at)
    WHERE pay = 'invoice' AND invoice_id IS NULL;
-- what an invoice billed: a void gives them back, the what-if and an explanation read them
CREATE INDEX billing_store_purchases_invoice ON billing_store_purchases (invoice_id)
    WHERE invoice_id IS NOT NULL;
-- the time-limited accesses check-quotas announces as expired
CREATE INDEX billing_store_purchases_expiring ON billing_store_purchases (access_until)
    WHERE status = 'active' AND NOT expiry_announced;

-- a store item's Checkout Session, applied once like a plan's or a pack's
ALTER TABLE billing_stripe_checkouts DROP CONSTRAINT billing_stripe_checkouts_kind_check;
ALTER TABLE billing_stripe_checkouts ADD CONSTRAINT billing_stripe_checkouts_kind_check
    CHECK (kind IN ('plan', 'pack', 'store'));

ALTER TABLE billing_invoice_lines DROP CONSTRAINT billing_invoice_lines_kind_check;
ALTER TABLE billing_invoice_lines ADD CONSTRAINT billing_invoice_lines_kind_check
    CHECK (kind IN ('plan_fee', 'usage', 'overage', 'credit', 'pack', 'store'));
