-- The usage records' two BRIN indexes, on their run (V36: the roll-up's steps) and on their
-- slice's start (V33: the reports' range), keep the values of each 32 pages as several intervals
-- (minmax-multi) instead of one, from the least to the greatest.
--
-- Records are appended run after run and hour after hour, so 32 pages hold one or two runs and
-- hours: what a BRIN index needs. But an insert does not always go to the end of the table: the
-- free space map holds the room left in each page (entered by a VACUUM, autovacuum's too, and by
-- an insert that finds a page full), such as what the old versions of a void's re-stamped
-- records left, and a later insert goes to any page where its record fits. One record of a later
-- run among the pages of an early one stretched their one interval over every run and hour
-- between, and a query for any of those read these pages too. Kept apart, the early run and the
-- stray record of the later one match neither a run nor an hour between
-- (UsageRecordRangesTest; docs/billing-internals.md, "A stray record in old pages").
--
-- An insert into the last pages, not summarized yet, still writes nothing to either index. Both
-- new indexes are built first, each under a SHARE lock (calculate-usage's inserts and voids wait
-- for it, reads go on); the drops then take the table's ACCESS EXCLUSIVE lock, held only from
-- there to the commit.
CREATE INDEX billing_usage_records_run_values ON billing_usage_records
    USING brin (rating_run int8_minmax_multi_ops) WITH (pages_per_range = 32, autosummarize = on);
CREATE INDEX billing_usage_records_slice_start_values ON billing_usage_records
    USING brin (slice_start timestamptz_minmax_multi_ops)
    WITH (pages_per_range = 32, autosummarize = on);

DROP INDEX billing_usage_records_run_brin;
DROP INDEX billing_usage_records_slice_start;
ALTER INDEX billing_usage_records_run_values RENAME TO billing_usage_records_run_brin;
ALTER INDEX billing_usage_records_slice_start_values RENAME TO billing_usage_records_slice_start;
