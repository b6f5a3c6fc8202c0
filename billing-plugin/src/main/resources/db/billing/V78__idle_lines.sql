-- Idle time on lines of its own, with what its price saved (issue 53).
--
-- A usage record priced at an activity factor (activityRates, V76) keeps the price it would have
-- had at the full price: full_price, null where no factor applied (the price is the full one).
-- What a record's idle price saved is unit_seconds × (full_price − unit_price), exact; a line's
-- saving is the sum, rounded once. Added nullable: no rewrite of the records. Records rated
-- before this migration at a factor keep a null: their lines show no saving.
ALTER TABLE billing_usage_records ADD COLUMN full_price numeric;

-- The daily rollup keeps the activity in its key (idle and disconnected time at one price are
-- lines of their own) and the sum of the records' savings, in unit-seconds × price.
ALTER TABLE billing_usage_daily
    ADD COLUMN activity text COLLATE "C" NOT NULL DEFAULT 'active',
    ADD COLUMN saved_unit_seconds numeric NOT NULL DEFAULT 0;
ALTER TABLE billing_usage_daily DROP CONSTRAINT billing_usage_daily_pkey;
ALTER TABLE billing_usage_daily
    ADD PRIMARY KEY (user_id, day, member_id, currency, resource_type, unit_price, activity);
-- the rows so far have no activity: the next roll-up rebuilds the rollup from the records, and
-- reads answer from the records until then
UPDATE billing_usage_rollup SET time_zone = NULL, rolled_up_to = 0;

CREATE OR REPLACE FUNCTION billing_usage_rollup_changed() RETURNS trigger
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
               o.activity, -o.unit_seconds AS unit_seconds,
               -o.unit_seconds * coalesce(o.full_price - o.unit_price, 0) AS saved_unit_seconds,
               -1 AS records
        FROM old_rows o WHERE o.rating_run <= watermark
        UNION ALL
        SELECT n.user_id, n.session_id, n.slice_start, n.currency, n.resource_type, n.unit_price,
               n.activity, n.unit_seconds,
               n.unit_seconds * coalesce(n.full_price - n.unit_price, 0), 1
        FROM new_rows n WHERE n.rating_run <= watermark
    ),
    summed AS (
        SELECT c.user_id, (c.slice_start AT TIME ZONE rollup_zone)::date AS day,
               coalesce(s.user_id, '') AS member_id, c.currency, c.resource_type, c.unit_price,
               c.activity, sum(c.unit_seconds) AS unit_seconds,
               sum(c.saved_unit_seconds) AS saved_unit_seconds, sum(c.records) AS records
        FROM changes c
        LEFT JOIN billing_sessions s ON c.session_id <> '' AND s.session_id = c.session_id
        GROUP BY 1, 2, 3, 4, 5, 6, 7
    )
    INSERT INTO billing_usage_daily AS d (user_id, day, member_id, currency, resource_type,
                                          unit_price, activity, unit_seconds, saved_unit_seconds,
                                          records)
    SELECT * FROM summed WHERE records <> 0 OR unit_seconds <> 0
    ON CONFLICT (user_id, day, member_id, currency, resource_type, unit_price, activity)
        DO UPDATE
        SET unit_seconds = d.unit_seconds + excluded.unit_seconds,
            saved_unit_seconds = d.saved_unit_seconds + excluded.saved_unit_seconds,
            records = d.records + excluded.records;
    DELETE FROM billing_usage_daily WHERE records = 0 AND user_id IN (
        SELECT user_id FROM old_rows);
    RETURN NULL;
END
$$;
