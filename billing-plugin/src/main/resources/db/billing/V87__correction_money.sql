-- The money of a correction (V85, V86), as applied: per organization and invoice what it
-- changed, and what it owes to or takes from a finalized invoice, which never changes itself.

-- Per organization and invoice the correction touched (a finalized one, a draft, or a period not
-- drafted yet: invoice_id null), the invoice's charges before credits without and with it, each
-- priced by invoicing's own code (InvoiceCalculator), and its lines that changed (a JSON array of
-- {kind, resource_type, unit_price, activity, description, before, after, difference}).
-- finalized: whether the invoice was finalized when it was applied (the difference is then a
-- credit note or a correction line, V87's other tables); else the invoice bills the corrected
-- usage itself.
CREATE TABLE billing_correction_effects (
    correction_id  bigint      NOT NULL REFERENCES billing_corrections (id),
    effect_no      int         NOT NULL CHECK (effect_no >= 0),
    org_id         text COLLATE "C" NOT NULL,
    invoice_id     bigint REFERENCES billing_invoices (id),
    invoice_number text,
    period_start   timestamptz NOT NULL,
    period_end     timestamptz NOT NULL CHECK (period_end > period_start),
    currency       char(3)     NOT NULL,
    finalized      boolean     NOT NULL,
    before         numeric     NOT NULL,
    after          numeric     NOT NULL,
    lines          jsonb       NOT NULL,
    PRIMARY KEY (correction_id, effect_no),
    CHECK (invoice_id IS NOT NULL OR NOT finalized)
);
-- an organization's corrections (GET /corrections)
CREATE INDEX billing_correction_effects_org ON billing_correction_effects (org_id, correction_id);

-- What a correction made a finalized period cost more, per line it changed: a charge the
-- organization's next invoice bills as a line of kind correction naming the correction and the
-- invoice it corrects (claimed at finalization, invoice_id, as store purchases are; a void gives
-- it back to the next invoice).
CREATE TABLE billing_correction_charges (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    correction_id        bigint      NOT NULL REFERENCES billing_corrections (id),
    org_id               text COLLATE "C" NOT NULL,
    corrected_invoice_id bigint      NOT NULL REFERENCES billing_invoices (id),
    currency             char(3)     NOT NULL,
    description          text        NOT NULL,
    line_kind            text        NOT NULL, -- the corrected line's kind: usage, overage
    resource_type        text,
    unit                 text,
    unit_price           numeric,
    activity             text,
    quantity             numeric,
    before_amount        numeric     NOT NULL,
    after_amount         numeric     NOT NULL,
    amount               numeric     NOT NULL CHECK (amount > 0),
    period_start         timestamptz NOT NULL,
    period_end           timestamptz NOT NULL,
    invoice_id           bigint REFERENCES billing_invoices (id),
    CHECK (amount = after_amount - before_amount)
);
CREATE INDEX billing_correction_charges_unbilled ON billing_correction_charges (org_id)
    WHERE invoice_id IS NULL;
CREATE INDEX billing_correction_charges_invoice ON billing_correction_charges (invoice_id)
    WHERE invoice_id IS NOT NULL;
CREATE INDEX billing_correction_charges_correction ON billing_correction_charges (correction_id);

-- What a correction made a finalized period cost less: one credit note on that invoice, by line
-- (lines: {"<line_no>": amount}; line 0 when no line of the invoice holds what changed),
-- issued through the credit notes (CreditNoteIssuer) in a step of its own: credit_note_id is set
-- in the transaction that issues it, so it is issued once.
CREATE TABLE billing_correction_credits (
    correction_id  bigint      NOT NULL REFERENCES billing_corrections (id),
    invoice_id     bigint      NOT NULL REFERENCES billing_invoices (id),
    org_id         text COLLATE "C" NOT NULL,
    currency       char(3)     NOT NULL,
    amount         numeric     NOT NULL CHECK (amount > 0),
    lines          jsonb       NOT NULL,
    credit_note_id bigint,
    issued_at      timestamptz,
    PRIMARY KEY (correction_id, invoice_id),
    CHECK ((credit_note_id IS NULL) = (issued_at IS NULL))
);

-- A line of kind correction. The constraint is rebuilt from the one in place, whatever kinds
-- other migrations added to it, with correction allowed too.
DO $$
DECLARE
    kinds text;
BEGIN
    SELECT pg_get_constraintdef(c.oid) INTO kinds FROM pg_constraint c
    WHERE c.conrelid = 'billing_invoice_lines'::regclass
      AND c.conname = 'billing_invoice_lines_kind_check';
    EXECUTE 'ALTER TABLE billing_invoice_lines DROP CONSTRAINT billing_invoice_lines_kind_check';
    -- kinds is CHECK (<expression>): the expression, or kind correction
    EXECUTE 'ALTER TABLE billing_invoice_lines ADD CONSTRAINT billing_invoice_lines_kind_check'
        || ' CHECK (kind = ''correction'' OR ' || substr(kinds, 7) || ')';
END $$;
