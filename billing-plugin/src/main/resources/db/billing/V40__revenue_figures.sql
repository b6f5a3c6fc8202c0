-- The admin dashboard's revenue and outstanding figures, kept as invoices change instead of
-- summed per request: at full size a year is 1.2 million finalized invoices and 3.6 million
-- lines, which took the dashboard 30 s a request to sum (BENCHMARKS.md, run E).
--
-- Each table holds exact sums (numeric, never rounded) of what the dashboard's old statements
-- summed, per key; a row whose count falls to zero stays and is not read. Triggers on the
-- invoices and their lines move them in the transaction of the change, once per statement with
-- the rows it changed (a finalization chunk's 250 invoices in one upsert), whatever path made
-- it: finalization, payment, a Stripe webhook, overdue, a void, SQL. Each statement takes the
-- figures' rows in one order (periods, then lines, then outstanding, each by key), so two
-- statements wait for each other rather than deadlock. The rows are few (a period's currencies)
-- and every change to a counted invoice updates them: two transactions that change invoices of
-- one period and currency take turns from their triggers to their commits.

-- Per invoice period_start and currency, the finalized invoices not void (sent, paid, overdue):
-- Σ total, Σ total of the paid ones, how many. The dashboard sums them per billing period of its
-- window (the one holding each period_start).
CREATE TABLE billing_revenue_periods (
    period_start timestamptz NOT NULL,
    currency     char(3)     NOT NULL,
    invoiced     numeric     NOT NULL,
    paid         numeric     NOT NULL,
    invoices     bigint      NOT NULL,
    PRIMARY KEY (period_start, currency)
);

-- Per invoice period_start and currency, the lines of those invoices but credits, by what they
-- bill: a plan fee by the plan of the account's subscription term its line's period starts in
-- (judged when the invoice is finalized; '' when none), a usage or overage line by its resource,
-- a pack line as 'packs' (a line without a resource: '').
CREATE TABLE billing_revenue_lines (
    period_start timestamptz NOT NULL,
    currency     char(3)     NOT NULL,
    plan_fee     boolean     NOT NULL,
    billed       text        NOT NULL,
    amount       numeric     NOT NULL,
    lines        bigint      NOT NULL,
    PRIMARY KEY (period_start, currency, plan_fee, billed)
);

-- Per currency, the open invoices now: Σ total and count of the sent ones and of the overdue.
CREATE TABLE billing_revenue_outstanding (
    currency      char(3) PRIMARY KEY,
    sent_total    numeric NOT NULL,
    sent_count    bigint  NOT NULL,
    overdue_total numeric NOT NULL,
    overdue_count bigint  NOT NULL
);

-- The three statements that add to the tables the invoices of a set of changes, one row each:
-- (id, line_no, lines_only, user_id, period_start, currency, status, total, sign), sign +1 for
-- an invoice (or a line of it) that counts now, -1 for one that no longer counts as it did;
-- lines_only for lines written to an invoice that counts (line_no names the line), otherwise
-- every line of the invoice counts with it, as it is now. %1$s is the set, as a subquery: the
-- triggers' transition tables are visible to their own statements only, so each trigger runs
-- these with EXECUTE.
CREATE FUNCTION billing_revenue_statements() RETURNS text[]
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
    WHERE l.kind <> 'credit'
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

-- The invoices a statement changed in what the figures read (status, total, period_start,
-- currency, user_id) and that count before or after: each one's old self taken out and its new
-- self added. An update that changes none of them (a due date, a Stripe id) writes nothing.
CREATE FUNCTION billing_revenue_invoices_changed() RETURNS trigger
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
                              period_start, currency, status, total, 1 AS sign
                       FROM new_rows WHERE status IN ('sent', 'paid', 'overdue'))$c$;
    ELSIF TG_OP = 'DELETE' THEN
        IF NOT EXISTS (SELECT 1 FROM old_rows WHERE status IN ('sent', 'paid', 'overdue')) THEN
            RETURN NULL;
        END IF;
        changes := $c$(SELECT id, NULL::int AS line_no, false AS lines_only, user_id,
                              period_start, currency, status, total, -1 AS sign
                       FROM old_rows WHERE status IN ('sent', 'paid', 'overdue'))$c$;
    ELSE
        IF NOT EXISTS (
            SELECT 1 FROM old_rows o JOIN new_rows n USING (id)
            WHERE (o.status, o.total, o.period_start, o.currency, o.user_id)
                  IS DISTINCT FROM (n.status, n.total, n.period_start, n.currency, n.user_id)
              AND (o.status IN ('sent', 'paid', 'overdue')
                   OR n.status IN ('sent', 'paid', 'overdue'))) THEN
            RETURN NULL;
        END IF;
        changes := $c$(
            SELECT x.* FROM old_rows o JOIN new_rows n USING (id)
            CROSS JOIN LATERAL (VALUES
                (o.id, NULL::int, false, o.user_id, o.period_start, o.currency, o.status,
                 o.total, -1),
                (n.id, NULL::int, false, n.user_id, n.period_start, n.currency, n.status,
                 n.total, 1))
              AS x(id, line_no, lines_only, user_id, period_start, currency, status, total, sign)
            WHERE (o.status, o.total, o.period_start, o.currency, o.user_id)
                  IS DISTINCT FROM (n.status, n.total, n.period_start, n.currency, n.user_id)
              AND x.status IN ('sent', 'paid', 'overdue'))$c$;
    END IF;
    FOREACH statement IN ARRAY billing_revenue_statements() LOOP
        EXECUTE format(statement, changes);
    END LOOP;
    RETURN NULL;
END
$$;

-- Lines written while their invoice counts (seeded by SQL after it: finalization writes a
-- draft's lines before it finalizes it, which the invoices' trigger then reads). Each invoice
-- of the statement's lines is looked up by its key, once.
CREATE FUNCTION billing_revenue_lines_inserted() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    statement text;
BEGIN
    FOREACH statement IN ARRAY billing_revenue_statements() LOOP
        EXECUTE format(statement, $c$(
            SELECT l.invoice_id AS id, l.line_no, true AS lines_only, i.user_id, i.period_start,
                   i.currency, i.status, 0::numeric AS total, 1 AS sign
            FROM (SELECT DISTINCT invoice_id FROM new_rows) d
            CROSS JOIN LATERAL (
                SELECT * FROM billing_invoices i WHERE i.id = d.invoice_id OFFSET 0) i
            JOIN new_rows l ON l.invoice_id = d.invoice_id
            WHERE i.status IN ('sent', 'paid', 'overdue'))$c$);
    END LOOP;
    RETURN NULL;
END
$$;

-- Lines are never updated or deleted (an invoice's lines are its record): a statement that
-- would change a counted invoice's lines is refused rather than left out of the figures.
CREATE FUNCTION billing_revenue_lines_rewritten() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    IF EXISTS (
        SELECT 1 FROM (SELECT DISTINCT invoice_id FROM old_rows) d
        CROSS JOIN LATERAL (
            SELECT 1 FROM billing_invoices i
            WHERE i.id = d.invoice_id AND i.status IN ('sent', 'paid', 'overdue') OFFSET 0) i)
    THEN
        RAISE EXCEPTION 'the lines of a finalized invoice are never changed (revenue figures, V40)';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER billing_revenue_invoices_inserted AFTER INSERT ON billing_invoices
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION billing_revenue_invoices_changed();
CREATE TRIGGER billing_revenue_invoices_updated AFTER UPDATE ON billing_invoices
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION billing_revenue_invoices_changed();
CREATE TRIGGER billing_revenue_invoices_deleted AFTER DELETE ON billing_invoices
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION billing_revenue_invoices_changed();
CREATE TRIGGER billing_revenue_lines_inserted AFTER INSERT ON billing_invoice_lines
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION billing_revenue_lines_inserted();
CREATE TRIGGER billing_revenue_lines_updated AFTER UPDATE ON billing_invoice_lines
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION billing_revenue_lines_rewritten();
CREATE TRIGGER billing_revenue_lines_deleted AFTER DELETE ON billing_invoice_lines
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION billing_revenue_lines_rewritten();

-- The figures of the invoices there are already.
DO $$
DECLARE
    statement text;
BEGIN
    FOREACH statement IN ARRAY billing_revenue_statements() LOOP
        EXECUTE format(statement, $c$(
            SELECT id, NULL::int AS line_no, false AS lines_only, user_id, period_start,
                   currency, status, total, 1 AS sign
            FROM billing_invoices WHERE status IN ('sent', 'paid', 'overdue'))$c$);
    END LOOP;
END
$$;

-- The dashboard's figures that are not sums kept as rows change: the usage patterns (a replay of
-- 30 days of sessions) and how many accounts are near their limits (every account's quotas
-- judged). The refresh-dashboard job (every 5 minutes) computes them with the dashboard's own
-- statements and keeps the latest here; the dashboard answers them as of taken_at. One row.
CREATE TABLE billing_dashboard_snapshot (
    only_row              boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    taken_at              timestamptz NOT NULL,
    time_zone             text        NOT NULL, -- the zone of the patterns' hours
    hours                 int[]       NOT NULL, -- per hour of the day listed: its peaks
    peak_sessions         bigint[]    NOT NULL,
    peak_cores            numeric[]   NOT NULL,
    warning               bigint      NOT NULL, -- accounts with a meter in each state
    exceeded              bigint      NOT NULL,
    confirmation_required bigint      NOT NULL
);
