-- The closed organizations (org.deleted: billing_accounts.closed_at) are few and read often:
-- admission reloads them every few seconds, finalize-invoices opens their final invoices and
-- check-quotas releases their holds. A partial index keeps those reads off the accounts' scan.
CREATE INDEX billing_accounts_closed ON billing_accounts (closed_at) WHERE closed_at IS NOT NULL;
