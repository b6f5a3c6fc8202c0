-- Admission that reserves (issue 52): starting a session of an organization on a prepaid plan
-- reserves its cost for its first holdMinutes from the prepaid balance, so that concurrent starts
-- on any number of nodes never take more than the balance holds. The reservation is one
-- conditional update of the balance row (reserved = reserved + amount where balance - reserved
-- >= amount: the row's lock orders concurrent starts, and each sees what the one before it left)
-- and this row, in one statement; no row updated, nothing reserved, and the session is refused.
--
-- One row per session, keyed by the session's id as billing_sessions is: an admission asked
-- again for the same session finds it and reserves nothing more. Released when the session ends
-- (its session.terminated stored, or its end found by check-quotas) or when it never started
-- (no session event within holdMinutes of the reservation): reserved goes down by the amount and
-- the row keeps when and why (released_at, released_by), so a release happens once. A
-- reservation moves no money: the balance and its entries are unchanged by it.
CREATE TABLE billing_prepaid_reservations (
    session_id  text COLLATE "C" PRIMARY KEY,
    org_id      text COLLATE "C" NOT NULL,
    currency    char(3)     NOT NULL,
    amount      numeric     NOT NULL CHECK (amount > 0),
    reserved_at timestamptz NOT NULL,
    released_at timestamptz,
    released_by text CHECK (released_by IN ('terminated', 'ended', 'never_started')),
    FOREIGN KEY (org_id, currency) REFERENCES billing_prepaid_balances (org_id, currency),
    CHECK ((released_at IS NULL) = (released_by IS NULL))
);

-- check-quotas looks for the open reservations of sessions that ended or never started: only
-- the open ones, oldest first
CREATE INDEX billing_prepaid_reservations_open ON billing_prepaid_reservations (reserved_at)
    WHERE released_at IS NULL;
