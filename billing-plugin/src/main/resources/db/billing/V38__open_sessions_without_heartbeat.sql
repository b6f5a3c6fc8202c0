-- The open sessions, by organization (admission's reload, StoredUseQuery), keyed by org_id
-- alone. V34 had last_heartbeat in the key so that the reload's "not timed out" was read from
-- the index, but a column in any index makes every update that changes it a non-HOT update:
-- every heartbeat then wrote a new entry into each of billing_sessions' seven indexes instead
-- of none (SessionUpsertBenchmark: 0 of 100,000 heartbeat updates HOT with V34, 99,122
-- without; the writer's heartbeat rounds took 2.3-2.8 times as long), a cost on every
-- heartbeat intake applies. The reload reads the heap row of each open session for its last
-- heartbeat instead: the open sessions are a few of the table's rows, and the reload reads
-- those rows again for their sessions anyway.
DROP INDEX billing_sessions_open;
CREATE INDEX billing_sessions_open ON billing_sessions (org_id) WHERE ended_at IS NULL;
