-- Credit notes (V82), reviewed.

-- Which line of its invoice bills a store purchase: the k-th store line of an invoice (by line
-- number) bills the k-th purchase it claimed (by purchased_at, id), as finalization writes them
-- (invoicing/StoreCharges.BOUGHT, explain/StoreRecords). A purchase is given back once, by its
-- refund's credit or by credit notes on its line, not both: a refunded purchase's line holds
-- nothing for a note, and a refund credits only what notes left of the line.
CREATE VIEW billing_store_purchase_lines AS
SELECT p.id AS purchase_id, p.invoice_id, l.line_no, p.status
FROM (SELECT id, invoice_id, status,
             row_number() OVER (PARTITION BY invoice_id ORDER BY purchased_at, id) AS k
      FROM billing_store_purchases WHERE invoice_id IS NOT NULL) p
JOIN (SELECT invoice_id, line_no,
             row_number() OVER (PARTITION BY invoice_id ORDER BY line_no) AS k
      FROM billing_invoice_lines WHERE kind = 'store') l
  ON l.invoice_id = p.invoice_id AND l.k = p.k;

-- The revenue figures count an invoice at what it charged net of its notes, never below zero:
-- greatest(total − credited, 0). total is what the invoice charged after its credits and the
-- prepaid balance; a note crediting lines the balance or credits paid (an invoice of a prepaid
-- organization, total 0) gives back money the figures never counted, and took them below zero.
-- V82's function otherwise.
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
                              period_start, currency, status,
                              greatest(total - credited, 0) AS total, 1 AS sign
                       FROM new_rows WHERE status IN ('sent', 'paid', 'overdue'))$c$;
    ELSIF TG_OP = 'DELETE' THEN
        IF NOT EXISTS (SELECT 1 FROM old_rows WHERE status IN ('sent', 'paid', 'overdue')) THEN
            RETURN NULL;
        END IF;
        changes := $c$(SELECT id, NULL::int AS line_no, false AS lines_only, user_id,
                              period_start, currency, status,
                              greatest(total - credited, 0) AS total, -1 AS sign
                       FROM old_rows WHERE status IN ('sent', 'paid', 'overdue'))$c$;
    ELSE
        IF NOT EXISTS (
            SELECT 1 FROM old_rows o JOIN new_rows n USING (id)
            WHERE (o.status, greatest(o.total - o.credited, 0), o.period_start, o.currency,
                   o.user_id)
                  IS DISTINCT FROM
                  (n.status, greatest(n.total - n.credited, 0), n.period_start, n.currency,
                   n.user_id)
              AND (o.status IN ('sent', 'paid', 'overdue')
                   OR n.status IN ('sent', 'paid', 'overdue'))) THEN
            RETURN NULL;
        END IF;
        changes := $c$(
            SELECT x.* FROM old_rows o JOIN new_rows n USING (id)
            CROSS JOIN LATERAL (VALUES
                (o.id, NULL::int, false, o.user_id, o.period_start, o.currency, o.status,
                 greatest(o.total - o.credited, 0), -1),
                (n.id, NULL::int, false, n.user_id, n.period_start, n.currency, n.status,
                 greatest(n.total - n.credited, 0), 1))
              AS x(id, line_no, lines_only, user_id, period_start, currency, status, total, sign)
            WHERE (o.status, greatest(o.total - o.credited, 0), o.period_start, o.currency,
                   o.user_id)
                  IS DISTINCT FROM
                  (n.status, greatest(n.total - n.credited, 0), n.period_start, n.currency,
                   n.user_id)
              AND x.status IN ('sent', 'paid', 'overdue'))$c$;
    END IF;
    FOREACH statement IN ARRAY billing_revenue_statements() LOOP
        EXECUTE format(statement, changes);
    END LOOP;
    RETURN NULL;
END
$$;

-- the figures kept so far, recounted from the invoices as they are (only a paid invoice has
-- credited above total: a note on an unpaid one gives back beyond what is due only as it pays it)
UPDATE billing_revenue_periods r
SET invoiced = r.invoiced + f.more, paid = r.paid + f.more_paid
FROM (SELECT period_start, currency,
             sum(greatest(total - credited, 0) - (total - credited)) AS more,
             coalesce(sum(greatest(total - credited, 0) - (total - credited))
                      FILTER (WHERE status = 'paid'), 0) AS more_paid
      FROM billing_invoices
      WHERE status IN ('sent', 'paid', 'overdue') AND credited > total
      GROUP BY 1, 2) f
WHERE r.period_start = f.period_start AND r.currency = f.currency;
