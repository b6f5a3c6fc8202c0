-- Invoicing. V3 belongs to plans and currencies.

-- Voiding an invoice gives its applied credit back (remaining restored) but keeps the
-- application rows, marked reversed, so that a credit's history still explains its balance.
ALTER TABLE billing_credit_applications ADD COLUMN reversed_at timestamptz;
