-- A daily rollup of the usage records, exact, for the reads of every account's usage (GET
-- /admin/reports) and of one organization's by member (GET /usage's by_member): at full size a
-- month is tens of millions of records, which no index makes quick to sum; their sums per day
-- are a 24th of them and less.
--
-- billing_usage_daily holds, per day in the billing zone (by the slice's start, as the reports'
-- day grouping), account, member, currency, resource type and unit price, the sum of the
-- records' unit_seconds and how many they are. It holds exactly the records whose rating run is
-- at most billing_usage_rollup.rolled_up_to: the roll-up-usage job (UsageRollup) adds those of
-- the runs after it up to the settled run (RatingRuns.settled: all committed) and moves it, in
-- one transaction; calculate-usage writes nothing more than before. A read sums the rollup's
-- whole days, the records of those days rated after the watermark, and the records of the
-- range's partial first and last days.
--
-- The days are the billing zone's, which the config sets: the rollup names the zone it was built
-- in (null: not built yet), and a read in another zone reads the records only. The job builds
-- it (from every record) when the zone it holds is not the config's: the first run after this
-- migration backfills it, and until then reads answer from the records, the same.

CREATE TABLE billing_usage_rollup (
    only_row     boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    time_zone    text,            -- the zone whose days the rollup is of; null: not built
    rolled_up_to bigint NOT NULL  -- every record of a run up to it is in the rollup, no other
);
INSERT INTO billing_usage_rollup (time_zone, rolled_up_to) VALUES (NULL, 0);

CREATE TABLE billing_usage_daily (
    user_id       text COLLATE "C" NOT NULL,
    day           date        NOT NULL,
    -- the user who ran the records' session; '' for none (storage, whose session_id is '')
    member_id     text COLLATE "C" NOT NULL,
    currency      char(3)     NOT NULL,
    resource_type text COLLATE "C" NOT NULL,
    unit_price    numeric     NOT NULL,
    unit_seconds  numeric     NOT NULL,
    records       bigint      NOT NULL,
    -- one organization's days (usage by member) are a range of the key
    PRIMARY KEY (user_id, day, member_id, currency, resource_type, unit_price)
);
-- every organization's days in a range (the reports)
CREATE INDEX billing_usage_daily_day ON billing_usage_daily (day);

-- The records of the runs after the watermark, every account's: the job's increment and the
-- reads' tail. Records are appended run after run, so a BRIN index (least and greatest run of
-- every 32 pages) finds the last pages; like billing_usage_records_slice_start it costs an
-- insert into the unsummarized last pages nothing. A voided invoice's records, re-stamped with a
-- fresh run, widen the range of the pages they are on.
CREATE INDEX billing_usage_records_run_brin ON billing_usage_records
    USING brin (rating_run) WITH (pages_per_range = 32, autosummarize = on);

-- Voiding an invoice gives its records a fresh run (InvoiceStatusChanges): above the watermark,
-- so the job would add them again and the reads count them in the tail. The rollup holds exactly
-- the records of runs up to the watermark, so a record that changes takes its old self out of
-- the rollup when its old run was counted, and its new self in when its new run is (a void's
-- fresh run never is: it is rolled up again by a later run of the job). Under the rollup's row
-- lock, taken by the job before it reads the watermark: the two never count a record twice.
CREATE FUNCTION billing_usage_rollup_changed() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    rollup_zone text;
    watermark bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM old_rows) THEN
        RETURN NULL; -- a void of an invoice without usage waits for no roll-up
    END IF;
    SELECT time_zone, rolled_up_to INTO rollup_zone, watermark FROM billing_usage_rollup FOR UPDATE;
    IF rollup_zone IS NULL THEN
        RETURN NULL; -- not built: nothing counted
    END IF;
    WITH changes AS (
        SELECT o.user_id, o.session_id, o.slice_start, o.currency, o.resource_type, o.unit_price,
               -o.unit_seconds AS unit_seconds, -1 AS records
        FROM old_rows o WHERE o.rating_run <= watermark
        UNION ALL
        SELECT n.user_id, n.session_id, n.slice_start, n.currency, n.resource_type, n.unit_price,
               n.unit_seconds, 1
        FROM new_rows n WHERE n.rating_run <= watermark
    ),
    summed AS (
        SELECT c.user_id, (c.slice_start AT TIME ZONE rollup_zone)::date AS day,
               coalesce(s.user_id, '') AS member_id, c.currency, c.resource_type, c.unit_price,
               sum(c.unit_seconds) AS unit_seconds, sum(c.records) AS records
        FROM changes c
        LEFT JOIN billing_sessions s ON c.session_id <> '' AND s.session_id = c.session_id
        GROUP BY 1, 2, 3, 4, 5, 6
    )
    INSERT INTO billing_usage_daily AS d (user_id, day, member_id, currency, resource_type,
                                          unit_price, unit_seconds, records)
    SELECT * FROM summed WHERE records <> 0 OR unit_seconds <> 0
    ON CONFLICT (user_id, day, member_id, currency, resource_type, unit_price) DO UPDATE
        SET unit_seconds = d.unit_seconds + excluded.unit_seconds,
            records = d.records + excluded.records;
    DELETE FROM billing_usage_daily WHERE records = 0 AND user_id IN (
        SELECT user_id FROM old_rows);
    RETURN NULL;
END
$$;

-- Records are updated by a void only, and never deleted (an account's usage is kept): an update
-- is the one change to follow. Once per statement, with the rows it changed.
CREATE TRIGGER billing_usage_rollup_updated AFTER UPDATE ON billing_usage_records
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION billing_usage_rollup_changed();
