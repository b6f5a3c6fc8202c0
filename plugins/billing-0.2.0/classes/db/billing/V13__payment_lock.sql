-- The read-only lock for non-payment (a NON_PAYMENT hold, V11): an account is locked while it
-- has an invoice overdue for longer than paymentGraceDays that an admin has not waived.
-- An admin's hand unlock waives the invoices overdue at that moment: they lock the account no
-- more (paying them is still due); a later invoice overdue past its grace locks it again.
ALTER TABLE billing_invoices ADD COLUMN lock_waived_at timestamptz;

-- check-quotas looks for the invoices that lock their account every few minutes: few are
-- overdue, so it reads them by this small index rather than every invoice
CREATE INDEX billing_invoices_locking ON billing_invoices (due_at)
    WHERE status = 'overdue' AND lock_waived_at IS NULL;
