-- Prepaid balances (issue 52): money an organization holds ahead of its bills, per currency, kept
-- as a ledger. Any organization may hold a balance; a plan with "prepaid": true is one whose
-- organizations pay usage from it (what admission later reserves against).
--
-- The balance row is what concurrent writers serialize on (its row lock), and what a later
-- reservation takes from with one conditional update: available = balance - reserved. reserved
-- is 0 until reservations exist. No overdraft: the balance never goes below zero, nor below what
-- is reserved of it (CHECKs: available >= 0), so a payment from it takes at most what is
-- available.
CREATE TABLE billing_prepaid_balances (
    org_id     text COLLATE "C" NOT NULL REFERENCES billing_accounts (user_id),
    currency   char(3)     NOT NULL,
    balance    numeric     NOT NULL CHECK (balance >= 0),
    reserved   numeric     NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    updated_at timestamptz NOT NULL,
    CHECK (reserved <= balance),
    PRIMARY KEY (org_id, currency)
);

-- Every change of a balance, one entry each, never updated nor deleted: the balance is the sum of
-- its entries' amounts, and each entry keeps the balance it left (balance_after). Both are written
-- in one transaction by one method (PrepaidLedger.post), which also writes the change's audit
-- entry. Amounts are signed (money in positive, out negative, by kind) and in the currency's
-- minor unit (Money). source says where the entry comes from, unique, so that a retried request,
-- a webhook delivered twice or a finalization run again never writes a second entry: an admin's
-- grant (its Idempotency-Key), a Stripe Checkout session, an invoice ("invoice:<id>").
CREATE TABLE billing_prepaid_entries (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id        text COLLATE "C" NOT NULL,
    currency      char(3)     NOT NULL,
    kind          text        NOT NULL CHECK (kind IN ('top_up', 'grant', 'burn',
                                                       'invoice_applied', 'invoice_voided',
                                                       'refund')),
    amount        numeric     NOT NULL,
    balance_after numeric     NOT NULL CHECK (balance_after >= 0),
    reason        text        NOT NULL CHECK (length(reason) > 0),
    actor_type    text        NOT NULL,
    actor_id      text,
    source        text        NOT NULL UNIQUE,
    invoice_id    bigint      REFERENCES billing_invoices (id),
    created_at    timestamptz NOT NULL,
    FOREIGN KEY (org_id, currency) REFERENCES billing_prepaid_balances (org_id, currency),
    -- money in: a top-up, a grant, an invoice's payment given back by its void; out: the rest
    CHECK (CASE WHEN kind IN ('top_up', 'grant', 'invoice_voided') THEN amount > 0
                ELSE amount < 0 END),
    CHECK ((kind IN ('invoice_applied', 'invoice_voided')) = (invoice_id IS NOT NULL))
);
CREATE INDEX billing_prepaid_entries_statement ON billing_prepaid_entries (org_id, currency, id);

CREATE FUNCTION billing_prepaid_entries_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'billing_prepaid_entries is append-only: % refused', TG_OP
    USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE TRIGGER billing_prepaid_entries_append_only
    BEFORE UPDATE OR DELETE ON billing_prepaid_entries
    FOR EACH ROW EXECUTE FUNCTION billing_prepaid_entries_refuse();
CREATE TRIGGER billing_prepaid_entries_no_truncate BEFORE TRUNCATE ON billing_prepaid_entries
    FOR EACH STATEMENT EXECUTE FUNCTION billing_prepaid_entries_refuse();

-- An invoice shows what the balance paid of it, after credits: balance_applied, and a negative
-- line of kind prepaid. total is what is then left due.
ALTER TABLE billing_invoices
    ADD COLUMN balance_applied numeric NOT NULL DEFAULT 0 CHECK (balance_applied >= 0);
ALTER TABLE billing_invoice_lines DROP CONSTRAINT billing_invoice_lines_kind_check;
ALTER TABLE billing_invoice_lines ADD CONSTRAINT billing_invoice_lines_kind_check
    CHECK (kind IN ('plan_fee', 'usage', 'overage', 'credit', 'pack', 'store', 'prepaid'));

-- The revenue figures' lines (V40) leave the prepaid lines out as they leave credits out: a
-- prepaid line bills nothing, it is how the invoice was paid. The same statements otherwise.
CREATE OR REPLACE FUNCTION billing_revenue_statements() RETURNS text[]
    LANGUAGE sql IMMUTABLE AS
$f$
SELECT ARRAY[
    $q$
    INSERT INTO billing_revenue_periods AS r (period_start, currency, invoiced, paid, invoices)
    SELECT period_start, currency, sum(sign * total),
           coalesce(sum(sign * total) FILTER (WHERE status = 'paid'), 0), sum(sign)
    FROM %1$s c WHERE NOT lines_only
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (period_start, currency) DO UPDATE
        SET invoiced = r.invoiced + excluded.invoiced, paid = r.paid + excluded.paid,
            invoices = r.invoices + excluded.invoices
    $q$,
    -- each invoice's lines read by its key (OFFSET 0: a lookup, not every line hashed), the
    -- plan of a plan fee as the dashboard judged it per request before V40
    $q$
    INSERT INTO billing_revenue_lines AS r (period_start, currency, plan_fee, billed, amount,
                                            lines)
    SELECT c.period_start, c.currency, l.kind = 'plan_fee',
           coalesce(CASE l.kind WHEN 'plan_fee' THEN t.plan_id WHEN 'pack' THEN 'packs'
                                ELSE l.resource_type END, ''),
           sum(c.sign * l.amount), sum(c.sign)
    FROM %1$s c
    CROSS JOIN LATERAL (
        SELECT * FROM billing_invoice_lines l
        WHERE l.invoice_id = c.id AND (c.line_no IS NULL OR l.line_no = c.line_no)
        OFFSET 0) l
    LEFT JOIN LATERAL (
        SELECT s.plan_id FROM billing_subscriptions s
        WHERE l.kind = 'plan_fee' AND s.user_id = c.user_id
          AND s.started_at <= l.period_start
        ORDER BY s.started_at DESC, s.id DESC LIMIT 1) t ON true
    WHERE l.kind NOT IN ('credit', 'prepaid')
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (period_start, currency, plan_fee, billed) DO UPDATE
        SET amount = r.amount + excluded.amount, lines = r.lines + excluded.lines
    $q$,
    $q$
    INSERT INTO billing_revenue_outstanding AS r (currency, sent_total, sent_count,
                                                  overdue_total, overdue_count)
    SELECT currency,
           coalesce(sum(sign * total) FILTER (WHERE status = 'sent'), 0),
           coalesce(sum(sign) FILTER (WHERE status = 'sent'), 0),
           coalesce(sum(sign * total) FILTER (WHERE status = 'overdue'), 0),
           coalesce(sum(sign) FILTER (WHERE status = 'overdue'), 0)
    FROM %1$s c WHERE status IN ('sent', 'overdue') AND NOT lines_only
    GROUP BY 1 ORDER BY 1
    ON CONFLICT (currency) DO UPDATE
        SET sent_total = r.sent_total + excluded.sent_total,
            sent_count = r.sent_count + excluded.sent_count,
            overdue_total = r.overdue_total + excluded.overdue_total,
            overdue_count = r.overdue_count + excluded.overdue_count
    $q$]
$f$;
