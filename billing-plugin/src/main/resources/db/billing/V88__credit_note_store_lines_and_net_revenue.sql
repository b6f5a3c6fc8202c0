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
