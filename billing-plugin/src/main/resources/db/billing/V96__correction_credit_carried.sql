-- A correction's credit the invoice cannot hold (issue 54). A finalized invoice's credit note
-- never credits a line beyond what it still holds; a correction's credit can ask more (an admin's
-- note credited the line meanwhile, or what earlier corrections charged for it went on later
-- invoices). The credit note then credits what the invoice holds, and the rest, carried, becomes
-- an account credit of kind correction naming the correction, which the organization's next
-- invoices consume as any credit: both in the one transaction that marks the credit issued, so
-- it is given once whatever the retries and nodes.
ALTER TABLE billing_credits DROP CONSTRAINT billing_credits_kind_check;
ALTER TABLE billing_credits
    ADD CONSTRAINT billing_credits_kind_check CHECK (kind IN ('admin', 'fault', 'correction'));

-- issued_at says the credit was given: by its credit note, its account credit, or both.
ALTER TABLE billing_correction_credits DROP CONSTRAINT billing_correction_credits_check;
ALTER TABLE billing_correction_credits
    ADD COLUMN carried   numeric NOT NULL DEFAULT 0 CHECK (carried >= 0 AND carried <= amount),
    ADD COLUMN credit_id bigint UNIQUE REFERENCES billing_credits (id),
    ADD CONSTRAINT billing_correction_credits_given CHECK (
        CASE WHEN issued_at IS NULL
             THEN credit_note_id IS NULL AND credit_id IS NULL AND carried = 0
             ELSE (credit_id IS NULL) = (carried = 0)
                  AND (credit_note_id IS NOT NULL OR carried = amount) END);
