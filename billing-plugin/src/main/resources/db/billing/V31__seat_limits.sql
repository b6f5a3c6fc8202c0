-- The seat limit an organization's Owner set: at most this many members. It lowers what member
-- admission allows (the lower of it and the plan's hard members limit), never raises it above a
-- hard plan limit; a platform that adds a member past it anyway is billed the seat all the same.
-- One row per organization; none: no limit but the plan's.
CREATE TABLE billing_seat_limits (
    org_id     text COLLATE "C" PRIMARY KEY REFERENCES billing_accounts (user_id),
    seat_limit integer     NOT NULL CHECK (seat_limit >= 1),
    set_by     text COLLATE "C" NOT NULL,
    set_at     timestamptz NOT NULL
);
