-- Capacity packs. A purchase keeps the pack as bought (name, kind, what it adds, price and
-- currency), so a later change to the catalog never reprices or reshapes it.
CREATE TABLE billing_pack_purchases (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      text COLLATE "C" NOT NULL REFERENCES billing_accounts (user_id),
    pack_id      text        NOT NULL CHECK (length(pack_id) > 0),
    pack_name    text        NOT NULL,
    kind         text        NOT NULL CHECK (kind IN ('one_time', 'recurring')),
    adds         jsonb       NOT NULL CHECK (jsonb_typeof(adds) = 'object' AND adds <> '{}'),
    price        numeric     NOT NULL CHECK (price >= 0), -- per purchase, or per billing period
    currency     char(3)     NOT NULL,
    valid_days   int         CHECK (valid_days BETWEEN 1 AND 3650),
    purchased_at timestamptz NOT NULL,
    -- one_time: the current unbroken validity (a renewal extends it; after a lapse it starts
    -- again at the renewal); recurring: from the purchase on
    valid_from   timestamptz NOT NULL,
    valid_until  timestamptz CHECK (valid_until > valid_from),
    cancelled_at timestamptz CHECK (cancelled_at >= valid_from),
    CHECK (kind = 'recurring'
           OR (valid_days IS NOT NULL AND valid_until IS NOT NULL AND cancelled_at IS NULL)),
    CHECK (kind = 'one_time'
           OR (valid_days IS NULL AND valid_until IS NULL AND valid_from = purchased_at))
);
CREATE INDEX billing_pack_purchases_user ON billing_pack_purchases (user_id, purchased_at);

-- What happened to each purchase, with what it cost: 'bought' and 'renewed' of a one-time pack
-- carry its price and are each billed once, on the invoice of the period they happened in
-- (finalization claims them, invoice_id); a recurring pack's 'bought' carries its price per
-- period (billed prorated, period by period, like a plan fee) and 'cancelled' none.
CREATE TABLE billing_pack_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    purchase_id bigint      NOT NULL REFERENCES billing_pack_purchases (id),
    kind        text        NOT NULL CHECK (kind IN ('bought', 'renewed', 'expired', 'cancelled')),
    at          timestamptz NOT NULL,
    amount      numeric     CHECK (amount >= 0),
    currency    char(3)     NOT NULL,
    valid_from  timestamptz,
    valid_until timestamptz CHECK (valid_until > valid_from),
    billed      boolean     NOT NULL, -- a charge of its own on an invoice (one-time packs)
    invoice_id  bigint REFERENCES billing_invoices (id),
    CHECK (NOT billed OR amount IS NOT NULL),
    CHECK (billed OR invoice_id IS NULL)
);
CREATE INDEX billing_pack_events_purchase ON billing_pack_events (purchase_id, at);

ALTER TABLE billing_invoice_lines DROP CONSTRAINT billing_invoice_lines_kind_check;
ALTER TABLE billing_invoice_lines ADD CONSTRAINT billing_invoice_lines_kind_check
    CHECK (kind IN ('plan_fee', 'usage', 'overage', 'credit', 'pack'));
