-- Admission that reserves against the spending limit (action block) and members' caps (issue
-- 52): concurrent starts on any number of nodes never take an organization past its block limit,
-- nor a member past their cap. What an organization has reserved against one of its limits is a
-- row here (a "room": its spending limit in one billing period, or one capped meter of one
-- member), and starting a session takes its amount with one conditional statement on that row
-- (reserved + amount <= what the limit leaves, the caller's figure: the limit less the period's
-- estimate, or the member's cap). The row's lock orders concurrent starts of the organization,
-- and each sees what the one before it left: there is no check before the act to race with.
CREATE TABLE billing_limit_rooms (
    org_id   text COLLATE "C" NOT NULL,
    room     text COLLATE "C" NOT NULL,
    reserved numeric     NOT NULL CHECK (reserved >= 0),
    PRIMARY KEY (org_id, room)
);

-- What each session reserved in each room, once (its key): an admission asked again finds it and
-- reserves nothing more. Released when the session ends (its session.terminated stored, or its
-- end found by check-quotas), when it never started (no session event within holdMinutes), and,
-- for a spending limit's room (until_rated), once the session's first holdMinutes are rated,
-- that is in the period's estimate the limit is checked against. released_at/released_by keep
-- when and why, so a release happens once. A reservation moves no money.
CREATE TABLE billing_limit_reservations (
    session_id  text COLLATE "C" NOT NULL,
    org_id      text COLLATE "C" NOT NULL,
    room        text COLLATE "C" NOT NULL,
    amount      numeric     NOT NULL CHECK (amount > 0),
    until_rated boolean     NOT NULL,
    reserved_at timestamptz NOT NULL,
    released_at timestamptz,
    released_by text CHECK (released_by IN ('terminated', 'ended', 'never_started', 'rated')),
    PRIMARY KEY (session_id, org_id, room),
    FOREIGN KEY (org_id, room) REFERENCES billing_limit_rooms (org_id, room),
    CHECK ((released_at IS NULL) = (released_by IS NULL))
);

-- check-quotas looks for the open reservations to release: only the open ones, oldest first
CREATE INDEX billing_limit_reservations_open ON billing_limit_reservations (reserved_at)
    WHERE released_at IS NULL;
