-- The revenue figures' trigger on inserted lines (V40) returns at once when none of their
-- invoices counts (sent, paid or overdue), as the invoices' own trigger does. Finalization
-- writes a chunk's lines while its invoices are still drafts (it finalizes them next, and the
-- invoices' trigger then counts their lines): V40's trigger ran its three statements on them,
-- each looking every invoice of the lines up to find none counted. Now one lookup each, which
-- stops at the first invoice that counts; when one does, the three statements run as before.
CREATE OR REPLACE FUNCTION billing_revenue_lines_inserted() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    statement text;
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM (SELECT DISTINCT invoice_id FROM new_rows) d
        CROSS JOIN LATERAL (
            SELECT 1 FROM billing_invoices i
            WHERE i.id = d.invoice_id AND i.status IN ('sent', 'paid', 'overdue') OFFSET 0) i)
    THEN
        RETURN NULL;
    END IF;
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
