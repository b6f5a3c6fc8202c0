-- Credit notes (issue 54): a finalized invoice is never changed; money given back on it is a
-- credit note with a gapless number of its own (CN-2026-000001) that points at the invoice and
-- says, per line, how much of the line it credits and the share of the line's tax that goes
-- with it (creditnotes/CreditNotes; docs/correcting-usage-and-invoices.md).

-- The last credit note number issued per year, as billing_invoice_numbers (V2): incremented in
-- the issuing transaction, so a rollback gives the number back and the row lock serializes nodes.
CREATE TABLE billing_credit_note_numbers (
    year        int    PRIMARY KEY,
    last_number bigint NOT NULL CHECK (last_number >= 0)
);

-- A note's money: amount is what it credits of the lines (as the lines are written: before tax
-- when taxBehavior is exclusive, tax included when inclusive), tax the tax of the lines it
-- reverses, total what it gives back in all (amount + tax when exclusive, amount when
-- inclusive). due_lowered is the part of total that lowered what the invoice still had due (an
-- unpaid invoice); the rest was given back as refund says: onto the prepaid balance, through
-- the payment at Stripe, or recorded only. request_key keeps an admin's Idempotency-Key (a
-- name-based UUID of it) or a caller's own key, so a retry answers the same note.
CREATE TABLE billing_credit_notes (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    credit_note_number    text        NOT NULL UNIQUE,
    invoice_id            bigint      NOT NULL REFERENCES billing_invoices (id),
    org_id                text COLLATE "C" NOT NULL REFERENCES billing_accounts (user_id),
    currency              char(3)     NOT NULL,
    amount                numeric     NOT NULL CHECK (amount > 0),
    tax                   numeric     NOT NULL CHECK (tax >= 0),
    total                 numeric     NOT NULL CHECK (total > 0),
    due_lowered           numeric     NOT NULL CHECK (due_lowered >= 0 AND due_lowered <= total),
    refund                text        NOT NULL
        CHECK (refund IN ('balance', 'payment_method', 'none')),
    reason                text        NOT NULL CHECK (length(reason) > 0),
    actor_type            text        NOT NULL,
    actor_id              text,
    request_key           text UNIQUE,
    created_at            timestamptz NOT NULL,
    -- what is left to do at Stripe (a refund through the payment, the Stripe Credit Note on the
    -- mirrored Stripe invoice), sent after the commit by the route and the collect-payments job:
    -- none (nothing at Stripe), pending (due at stripe_next_try_at, or leased until then), sent,
    -- failed (Stripe refused it: stripe_error says why, for an admin)
    stripe_status         text        NOT NULL
        CHECK (stripe_status IN ('none', 'pending', 'sent', 'failed')),
    stripe_next_try_at    timestamptz,
    stripe_attempts       int         NOT NULL DEFAULT 0,
    stripe_first_sent_at  timestamptz,
    stripe_refunded       boolean     NOT NULL DEFAULT false,
    stripe_credit_note_id text,
    stripe_error          text,
    CHECK ((stripe_status = 'pending') = (stripe_next_try_at IS NOT NULL)),
    CHECK (total >= amount)
);
CREATE INDEX billing_credit_notes_invoice ON billing_credit_notes (invoice_id, id);
CREATE INDEX billing_credit_notes_created ON billing_credit_notes (created_at);
CREATE INDEX billing_credit_notes_stripe_due ON billing_credit_notes (stripe_next_try_at)
    WHERE stripe_status = 'pending';

-- A note's lines: what it credits of each line of its invoice, and that line's tax reversed.
CREATE TABLE billing_credit_note_lines (
    credit_note_id bigint  NOT NULL REFERENCES billing_credit_notes (id),
    invoice_id     bigint  NOT NULL,
    line_no        int     NOT NULL,
    amount         numeric NOT NULL CHECK (amount > 0),
    tax            numeric NOT NULL CHECK (tax >= 0),
    PRIMARY KEY (credit_note_id, line_no),
    FOREIGN KEY (invoice_id, line_no) REFERENCES billing_invoice_lines (invoice_id, line_no)
);
-- what a line's earlier notes took of it
CREATE INDEX billing_credit_note_lines_line ON billing_credit_note_lines (invoice_id, line_no);

-- A note's money and lines are its record: never changed nor deleted (only its Stripe columns
-- move as the work at Stripe is done).
CREATE FUNCTION billing_credit_notes_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'billing_credit_notes'
     AND (OLD.credit_note_number, OLD.invoice_id, OLD.org_id, OLD.currency, OLD.amount, OLD.tax,
          OLD.total, OLD.due_lowered, OLD.refund, OLD.reason, OLD.created_at)
         IS NOT DISTINCT FROM
         (NEW.credit_note_number, NEW.invoice_id, NEW.org_id, NEW.currency, NEW.amount, NEW.tax,
          NEW.total, NEW.due_lowered, NEW.refund, NEW.reason, NEW.created_at) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% of a credit note refused: a credit note is never changed', TG_OP
    USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE TRIGGER billing_credit_notes_kept BEFORE UPDATE OR DELETE ON billing_credit_notes
    FOR EACH ROW EXECUTE FUNCTION billing_credit_notes_refuse();
CREATE TRIGGER billing_credit_note_lines_kept BEFORE UPDATE OR DELETE ON billing_credit_note_lines
    FOR EACH ROW EXECUTE FUNCTION billing_credit_notes_refuse();

-- What an invoice's notes came to (credited) and the part of it that lowered what was due
-- (credited_due): collection charges total − credited_due, and a payment is matched to it.
ALTER TABLE billing_invoices
    ADD COLUMN credited numeric NOT NULL DEFAULT 0 CHECK (credited >= 0),
    ADD COLUMN credited_due numeric NOT NULL DEFAULT 0 CHECK (credited_due >= 0);
ALTER TABLE billing_invoices ADD CONSTRAINT billing_invoices_credited_due_check1
    CHECK (credited_due <= total AND credited_due <= credited);
-- the receivables read what is due of the open invoices from this index alone (V52), now net
DROP INDEX billing_invoices_outstanding;
CREATE INDEX billing_invoices_outstanding ON billing_invoices (status)
    INCLUDE (currency, total, credited_due, due_at)
    WHERE status IN ('sent', 'overdue');

-- credit_note: what a note gave back onto the prepaid balance, money in, of its invoice
ALTER TABLE billing_prepaid_entries DROP CONSTRAINT billing_prepaid_entries_kind_check;
ALTER TABLE billing_prepaid_entries ADD CONSTRAINT billing_prepaid_entries_kind_check
    CHECK (kind IN ('top_up', 'grant', 'burn', 'invoice_applied', 'invoice_voided',
                    'burn_returned', 'refund', 'credit_note'));
ALTER TABLE billing_prepaid_entries DROP CONSTRAINT billing_prepaid_entries_check;
ALTER TABLE billing_prepaid_entries ADD CONSTRAINT billing_prepaid_entries_check
    CHECK (CASE WHEN kind IN ('top_up', 'grant', 'invoice_voided', 'burn_returned', 'credit_note')
                THEN amount > 0 ELSE amount < 0 END);
ALTER TABLE billing_prepaid_entries DROP CONSTRAINT billing_prepaid_entries_check1;
ALTER TABLE billing_prepaid_entries ADD CONSTRAINT billing_prepaid_entries_check1
    CHECK (kind = 'burn_returned'
           OR (kind IN ('invoice_applied', 'invoice_voided', 'credit_note'))
              = (invoice_id IS NOT NULL));

-- The revenue figures (V40) net of credit notes: an invoice counts with total − credited (its
-- periods' invoiced and paid, the open ones' outstanding), so a note moves them when it is
-- issued, by the invoice's own trigger; V40's function, with that net in place of the total.
CREATE OR REPLACE FUNCTION billing_revenue_invoices_changed() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    changes text;
    statement text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NOT EXISTS (SELECT 1 FROM new_rows WHERE status IN ('sent', 'paid', 'overdue')) THEN
            RETURN NULL;
        END IF;
        changes := $c$(SELECT id, NULL::int AS line_no, false AS lines_only, user_id,
                              period_start, currency, status, total - credited AS total,
                              1 AS sign
                       FROM new_rows WHERE status IN ('sent', 'paid', 'overdue'))$c$;
    ELSIF TG_OP = 'DELETE' THEN
        IF NOT EXISTS (SELECT 1 FROM old_rows WHERE status IN ('sent', 'paid', 'overdue')) THEN
            RETURN NULL;
        END IF;
        changes := $c$(SELECT id, NULL::int AS line_no, false AS lines_only, user_id,
                              period_start, currency, status, total - credited AS total,
                              -1 AS sign
                       FROM old_rows WHERE status IN ('sent', 'paid', 'overdue'))$c$;
    ELSE
        IF NOT EXISTS (
            SELECT 1 FROM old_rows o JOIN new_rows n USING (id)
            WHERE (o.status, o.total - o.credited, o.period_start, o.currency, o.user_id)
                  IS DISTINCT FROM
                  (n.status, n.total - n.credited, n.period_start, n.currency, n.user_id)
              AND (o.status IN ('sent', 'paid', 'overdue')
                   OR n.status IN ('sent', 'paid', 'overdue'))) THEN
            RETURN NULL;
        END IF;
        changes := $c$(
            SELECT x.* FROM old_rows o JOIN new_rows n USING (id)
            CROSS JOIN LATERAL (VALUES
                (o.id, NULL::int, false, o.user_id, o.period_start, o.currency, o.status,
                 o.total - o.credited, -1),
                (n.id, NULL::int, false, n.user_id, n.period_start, n.currency, n.status,
                 n.total - n.credited, 1))
              AS x(id, line_no, lines_only, user_id, period_start, currency, status, total, sign)
            WHERE (o.status, o.total - o.credited, o.period_start, o.currency, o.user_id)
                  IS DISTINCT FROM
                  (n.status, n.total - n.credited, n.period_start, n.currency, n.user_id)
              AND x.status IN ('sent', 'paid', 'overdue'))$c$;
    END IF;
    FOREACH statement IN ARRAY billing_revenue_statements() LOOP
        EXECUTE format(statement, changes);
    END LOOP;
    RETURN NULL;
END
$$;

-- ...and each line's revenue net of what notes credited of it: a note's lines taken off the
-- figures of the lines they credit (same key as V40/V65's statement: a plan fee by its plan as
-- judged now, a usage or overage line by its resource, a pack as 'packs'), their count unchanged.
-- A note is only ever issued on a counted invoice (sent, paid, overdue), which is then never
-- voided.
CREATE FUNCTION billing_revenue_credit_note_lines() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    INSERT INTO billing_revenue_lines AS r (period_start, currency, plan_fee, billed, amount,
                                            lines)
    SELECT i.period_start, i.currency, l.kind = 'plan_fee',
           coalesce(CASE l.kind WHEN 'plan_fee' THEN t.plan_id WHEN 'pack' THEN 'packs'
                                ELSE l.resource_type END, ''),
           -sum(n.amount), 0
    FROM new_rows n
    JOIN billing_invoices i ON i.id = n.invoice_id
    JOIN billing_invoice_lines l ON l.invoice_id = n.invoice_id AND l.line_no = n.line_no
    LEFT JOIN LATERAL (
        SELECT s.plan_id FROM billing_subscriptions s
        WHERE l.kind = 'plan_fee' AND s.user_id = i.user_id
          AND s.started_at <= l.period_start
        ORDER BY s.started_at DESC, s.id DESC LIMIT 1) t ON true
    WHERE i.status IN ('sent', 'paid', 'overdue')
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (period_start, currency, plan_fee, billed) DO UPDATE
        SET amount = r.amount + excluded.amount;
    RETURN NULL;
END
$$;
CREATE TRIGGER billing_revenue_credit_note_lines AFTER INSERT ON billing_credit_note_lines
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION billing_revenue_credit_note_lines();
