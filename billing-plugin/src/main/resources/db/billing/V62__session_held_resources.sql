-- The resources a session holds beyond cpu, memory and storage (its events' session.resources,
-- plugin-api 0.4: {"gpu": 1}), by held meter id. Per session and meter a step function, as
-- billing_session_sizes is for cpu and memory: each row holds from effective_from to the next
-- row of the same session and meter. An event that does not name a meter leaves its amount as
-- it was (0 until one names it); "gpu": 0 releases it. Of two events at one instant naming the
-- same meter, the greater event id wins, whichever is stored first, so the order events
-- arrive in never changes the steps. Rows are kept whether or not the config lists the meter,
-- as a usage report of an unlisted meter is.
CREATE TABLE billing_session_held (
    session_id     text COLLATE "C" NOT NULL,
    meter_id       text COLLATE "C" NOT NULL,
    effective_from timestamptz NOT NULL,
    amount         numeric     NOT NULL CHECK (amount >= 0),
    event_id       text COLLATE "C" NOT NULL,
    PRIMARY KEY (session_id, meter_id, effective_from)
);

-- A held meter's usage records: resource_type its id, unit <id>-hours (UsageUnit.held), priced
-- per unit-hour like cpu and memory. The built-in resources keep their units. (Added NOT VALID
-- and then validated: the check only widens, and validating takes no lock that stops writes.)
ALTER TABLE billing_usage_records DROP CONSTRAINT billing_usage_records_unit;
ALTER TABLE billing_usage_records ADD CONSTRAINT billing_usage_records_unit CHECK (
    (resource_type, unit) IN (('cpu', 'core-hours'), ('memory', 'gb-hours'),
                              ('storage', 'gb-months'))
    OR resource_type NOT IN ('cpu', 'memory', 'storage')
       AND unit = resource_type || '-hours') NOT VALID;
ALTER TABLE billing_usage_records VALIDATE CONSTRAINT billing_usage_records_unit;
