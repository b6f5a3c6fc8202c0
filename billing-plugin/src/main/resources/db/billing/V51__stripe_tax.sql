-- Tax computed by Stripe Tax, recorded by us (stripeTax; docs/stripe.md "Tax").
--
-- What a completed Checkout Session's customer_details told of the organization: its billing
-- address, tax exempt status and tax ids (Stripe collects them: billing_address_collection,
-- tax_id_collection). One row per organization, the newest by the event's created time: an older
-- event arriving late never overwrites a newer one.
CREATE TABLE billing_tax_details (
    account_id  text COLLATE "C" PRIMARY KEY REFERENCES billing_accounts (user_id),
    name        text,
    line1       text,
    line2       text,
    city        text,
    state       text,
    postal_code text,
    country     text,                -- ISO 3166-1 alpha-2; no country: no address to tax at
    tax_exempt  text NOT NULL DEFAULT 'none' CHECK (tax_exempt IN ('none', 'exempt', 'reverse')),
    tax_ids     jsonb NOT NULL DEFAULT '[]', -- [{"type": "eu_vat", "value": "DE123456789"}]
    session_id  text NOT NULL,       -- the Checkout Session they came from
    event_at    timestamptz NOT NULL, -- its event's created time at Stripe
    updated_at  timestamptz NOT NULL
);

-- A draft's tax as Stripe Tax last calculated it (or failed to), made by finalize-invoices'
-- pre-step outside the finalization's transaction. lines_hash is the hash of the lines (and
-- currency and tax behaviour) it was calculated for: finalization uses it only when the lines it
-- finalizes hash the same, else the draft stays a draft and the next run calculates again. Once
-- the invoice is finalized, the row is what its tax was and is never changed.
CREATE TABLE billing_invoice_taxes (
    invoice_id     bigint PRIMARY KEY REFERENCES billing_invoices (id),
    status         text NOT NULL CHECK (status IN ('calculated', 'failed')),
    lines_hash     text NOT NULL,
    tax_behavior   text NOT NULL CHECK (tax_behavior IN ('exclusive', 'inclusive')),
    calculation_id text,                 -- Stripe's taxcalc_...; null: nothing to tax
    tax            numeric NOT NULL DEFAULT 0 CHECK (tax >= 0), -- at the currency's scale
    reason         text,                 -- why it failed
    failures       int NOT NULL DEFAULT 0, -- failures in a row, reset by a calculation
    calculated_at  timestamptz NOT NULL,
    CHECK (status = 'calculated' OR reason IS NOT NULL)
);
-- the drafts whose tax failed: the alert's count
CREATE INDEX billing_invoice_taxes_failed ON billing_invoice_taxes (invoice_id)
    WHERE status = 'failed';

-- The tax lines of a calculation: one per line item and row of its tax_breakdown, as Stripe gave
-- them (amounts at the currency's scale, the rate a percentage as Stripe writes it).
CREATE TABLE billing_invoice_tax_lines (
    invoice_id        bigint NOT NULL REFERENCES billing_invoice_taxes (invoice_id),
    n                 int    NOT NULL,      -- from 1, in Stripe's order
    line_no           int    NOT NULL,      -- the invoice line (the line item's reference)
    amount            numeric NOT NULL,     -- the tax
    taxable_amount    numeric NOT NULL,
    percentage        numeric,              -- tax_rate_details.percentage_decimal: 7.25
    country           text,
    state             text,
    jurisdiction      text,                 -- jurisdiction.display_name: "California"
    level             text,                 -- country, state, county, city, district
    tax_type          text,                 -- sales_tax, vat, gst...
    taxability_reason text,                 -- standard_rated, reverse_charge, not_collecting...
    reverse_charge    boolean NOT NULL,     -- taxability_reason reverse_charge
    PRIMARY KEY (invoice_id, n)
);
