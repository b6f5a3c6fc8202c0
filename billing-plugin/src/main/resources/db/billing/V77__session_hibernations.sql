-- Hibernation (issue 53): a session idle or disconnected for hibernateAfterIdleMinutes is
-- suspended through the host (reason 'hibernated') and billed storage-only until the platform
-- says the user is back. One row per hibernation, [hibernated_at, resumed_at): rating and live
-- cost cut it out of the session's cpu, memory and held meters, as they cut an organization's
-- hold for a spent balance (V71); its storage, the organization's, runs on.
--
-- hibernated_at: when check-balances suspended it (its clock); idle_since: the start of the idle
-- or disconnected run that made it due, so that one run hibernates the session once. Written by
-- the node whose insert made the row (the unique index keeps one open row per session), so the
-- session is suspended and billing.session.hibernated published once across nodes.
-- resumed_at: the earliest event time after hibernated_at at which the session was reported
-- active (session.resumed, or a heartbeat with activity active), whichever arrives first: an
-- earlier one arriving later moves it back, so the order events arrive in changes nothing.
CREATE TABLE billing_session_hibernations (
    session_id       text COLLATE "C" NOT NULL,
    org_id           text COLLATE "C" NOT NULL,
    idle_since       timestamptz NOT NULL,
    hibernated_at    timestamptz NOT NULL,
    resumed_at       timestamptz CHECK (resumed_at > hibernated_at),
    resumed_by_event text COLLATE "C",
    PRIMARY KEY (session_id, hibernated_at)
);
CREATE UNIQUE INDEX billing_session_hibernations_open ON billing_session_hibernations (session_id)
    WHERE resumed_at IS NULL;
