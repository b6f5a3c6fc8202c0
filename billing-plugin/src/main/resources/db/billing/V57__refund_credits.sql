-- The credit an admin's refund of a store purchase granted (what an invoice billed for it, given
-- back as a credit). When that invoice is voided, the void gives back the purchase's whole
-- charge already, so the credit is ended at the void (InvoiceStatusChanges, a credit.revoked
-- entry): it would give the same money back twice.
ALTER TABLE billing_store_purchases
    ADD COLUMN refund_credit_id bigint REFERENCES billing_credits (id);

CREATE INDEX billing_store_purchases_refund_credit ON billing_store_purchases (invoice_id)
    WHERE refund_credit_id IS NOT NULL;
