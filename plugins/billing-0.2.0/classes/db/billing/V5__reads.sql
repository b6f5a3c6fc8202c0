-- Reads of the user and admin endpoints.

-- GET /invoices lists an account's invoices newest period first, void ones included; the
-- unique index on (user_id, period_start) leaves void invoices out, so it cannot serve it.
CREATE INDEX billing_invoices_user_period ON billing_invoices (user_id, period_start DESC, id DESC);
