-- Indexes for the admin reads over every organization's history (the dashboard, the reports),
-- each where no rewrite of the query could use an existing one (IndexedReadsTest asserts that no
-- query behind those routes reads a big table by a sequential scan). What each costs the writes
-- is said beside it: usage records are inserted 300,000 times a calculate-usage run at full size.

-- GET /admin/reports reads every account's records whose slice starts in a range; the primary
-- key leads with user_id, so without this it read the whole table. A BRIN index keeps the least
-- and greatest slice_start of each run of 32 pages: records are written hour by hour, so their
-- place in the table follows slice_start and a range reads only its pages. It is a few pages per
-- gigabyte, and an insert into the last (not yet summarized) run of pages writes nothing to it;
-- autosummarize has autovacuum summarize each run once it is full. (A B-tree on slice_start
-- would cost every insert a descent and about 20 bytes a record: 17 GB at 876 million.)
CREATE INDEX billing_usage_records_slice_start ON billing_usage_records
    USING brin (slice_start) WITH (pages_per_range = 32, autosummarize = on);

-- The dashboard's revenue by month and by line: the finalized invoices (not void, not draft) of
-- the periods in its window, read by period, with what it sums and the id its lines are read by,
-- so that the heap is visited only for pages not all-visible (a window of the whole history is
-- read from this index rather than from the table). Drafts are not in it, so generate-invoices' inserts cost it
-- nothing; finalization (the update to sent) adds an entry, and already writes every index of
-- the row (it sets invoice_number, which is indexed); paying or voiding moves it.
CREATE INDEX billing_invoices_billed ON billing_invoices (period_start)
    INCLUDE (status, currency, total, user_id, id)
    WHERE status IN ('sent', 'paid', 'overdue');

-- The dashboard's outstanding balance: every invoice sent or overdue now. The few open invoices
-- of all, read without the paid history; written at finalization and when paid, as above.
CREATE INDEX billing_invoices_outstanding ON billing_invoices (status)
    INCLUDE (currency, total)
    WHERE status IN ('sent', 'overdue');

-- The dashboard's usage patterns: the sessions that ended in its 30 days (those not settled
-- are read by billing_sessions_unsettled). Only settled sessions are in it, and a session is
-- settled once, by calculate-usage, in an update that is not HOT anyway (settled is the
-- predicate of billing_sessions_unsettled): one index entry per session in its life; heartbeats
-- and the watermark updates of each run stay HOT.
CREATE INDEX billing_sessions_settled_end ON billing_sessions (ended_at) WHERE settled;

-- Every account's open sessions, as the quota judgement reads them for the dashboard's accounts
-- near their limits (and GET /admin/users, GET /admin/quotas): by organization, among the
-- sessions not settled, instead of the year of ended ones. Written when a session is created
-- (intake, not calculate-usage) and left once, when calculate-usage settles it, in the update
-- that already writes every index of the row.
CREATE INDEX billing_sessions_unsettled_org ON billing_sessions (org_id) WHERE NOT settled;
