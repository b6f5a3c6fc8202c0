-- Rows as the release before organizations (schema V24) stored them: ann (USD, on Pro since
-- 1 February after a month on Free) with a session, usage, a usage report, February's invoice
-- (sent, numbered, a credit of 25.00 partly applied to it), a pack, a spending limit and a
-- Stripe customer; bob (VND, Free) with a session, a report and a non-payment hold.
BEGIN;

INSERT INTO billing_accounts (user_id, email, currency, status, created_at, storage_rated_until,
                              user_created_at)
VALUES ('ann', 'ann@example.com', 'USD', 'active', '2026-01-01T00:00:00Z',
        '2026-03-01T00:00:00Z', '2026-01-01T00:00:00Z'),
       ('bob', 'bob@example.com', 'VND', 'active', '2026-01-15T00:00:00Z', NULL,
        '2026-01-15T00:00:00Z');

INSERT INTO billing_subscriptions (user_id, plan_id, plan_name, price, currency,
                                   billing_interval, cpu_limit, memory_limit, storage_limit,
                                   started_at, ended_at)
VALUES ('ann', 'free', 'Free Tier', 0, 'USD', 'month', 2, 4, 10, '2026-01-01T00:00:00Z',
        '2026-02-01T00:00:00Z'),
       ('ann', 'pro', 'Professional', 29.99, 'USD', 'month', 8, 16, 100,
        '2026-02-01T00:00:00Z', NULL),
       ('bob', 'free', 'Free Tier', 0, 'VND', 'month', 2, 4, 10, '2026-01-15T00:00:00Z', NULL);

INSERT INTO billing_sessions (session_id, user_id, started_at, last_heartbeat, ended_at,
                              end_reason, rated_until, settled)
VALUES ('s-ann', 'ann', '2026-02-10T08:00:00Z', '2026-02-10T10:00:00Z',
        '2026-02-10T10:00:00Z', 'terminated', '2026-02-10T10:00:00Z', true),
       ('s-bob', 'bob', '2026-03-02T08:00:00Z', '2026-03-02T09:30:00Z', NULL, NULL, NULL,
        false);

INSERT INTO billing_usage_reports (event_id, user_id, meter, quantity, session_id, occurred_at)
VALUES ('r-ann', 'ann', 'bandwidth_gb', 12.5, 's-ann', '2026-02-10T09:00:00Z'),
       ('r-bob', 'bob', 'ai_queries', 40, NULL, '2026-03-02T09:00:00Z');

INSERT INTO billing_invoices
  (id, user_id, period_start, period_end, currency, status, invoice_number, subtotal,
   credits_applied, total, finalize_after, finalized_at, due_at, created_at)
OVERRIDING SYSTEM VALUE VALUES (7, 'ann', '2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z', 'USD', 'sent',
        'INV-2026-000042', 30.09, 10.00, 20.09, '2026-03-01T01:00:00Z',
        '2026-03-01T01:05:00Z', '2026-03-15T01:05:00Z', '2026-02-01T00:00:00Z');

INSERT INTO billing_invoice_lines (invoice_id, line_no, kind, description, resource_type,
                                   quantity, unit, unit_price, amount, period_start,
                                   period_end)
VALUES (7, 1, 'plan_fee', 'Professional', NULL, NULL, NULL, NULL, 29.99,
        '2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z'),
       (7, 2, 'usage', 'CPU', 'cpu', 2, 'core-hour', 0.05, 0.10, NULL, NULL),
       (7, 3, 'credit', 'Welcome credit', NULL, NULL, NULL, NULL, -10.00, NULL, NULL);

INSERT INTO billing_invoice_numbers (year, last_number) VALUES (2026, 42);

INSERT INTO billing_usage_records (user_id, session_id, resource_type, slice_start, slice_end,
                                   unit_seconds, unit, unit_price, currency, created_at,
                                   invoice_id)
VALUES ('ann', 's-ann', 'cpu', '2026-02-10T08:00:00Z', '2026-02-10T09:00:00Z', 3600,
        'core-hours', 0.05, 'USD', '2026-02-10T09:05:00Z', 7),
       ('ann', 's-ann', 'cpu', '2026-02-10T09:00:00Z', '2026-02-10T10:00:00Z', 3600,
        'core-hours', 0.05, 'USD', '2026-02-10T10:05:00Z', 7);

INSERT INTO billing_credits
  (id, user_id, amount, remaining, currency, reason, granted_by, granted_at, expires_at)
OVERRIDING SYSTEM VALUE VALUES (3, 'ann', 25.00, 15.00, 'USD', 'Welcome credit', 'admin', '2026-01-05T00:00:00Z',
        NULL);
INSERT INTO billing_credit_applications (credit_id, invoice_id, amount, applied_at)
VALUES (3, 7, 10.00, '2026-03-01T01:05:00Z');

INSERT INTO billing_pack_purchases (user_id, pack_id, pack_name, kind, adds, price, currency,
                                    valid_days, purchased_at, valid_from, valid_until)
VALUES ('ann', 'storage-50', 'Storage +50 GB', 'one_time', '{"storage_gb": 50}', 5.00, 'USD',
        30, '2026-02-20T00:00:00Z', '2026-02-20T00:00:00Z', '2026-03-22T00:00:00Z');

INSERT INTO billing_account_holds (user_id, reason, detail, placed_at)
VALUES ('bob', 'non_payment', 'an invoice is overdue', '2026-03-01T00:00:00Z');

INSERT INTO billing_spending_limits (user_id, amount, warn_at_percent, action, set_by, set_at)
VALUES ('ann', 100.00, 80, 'warn', 'ann', '2026-02-01T00:00:00Z');

INSERT INTO billing_stripe_customers (account_id, customer_id, created_at)
VALUES ('ann', 'cus_ann', '2026-02-01T00:00:00Z');

COMMIT;
