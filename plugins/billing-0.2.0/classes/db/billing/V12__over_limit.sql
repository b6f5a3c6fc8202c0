-- When each account first went over a hard limit, while it still is: the start of the grace
-- before it is suspended (autoSuspendOnOverage, gracePeriodDays). Set once by whichever node
-- finds the account over first, kept across restarts, deleted once it is back within limits.
CREATE TABLE billing_over_limit (
    user_id    text COLLATE "C" PRIMARY KEY REFERENCES billing_accounts (user_id),
    over_since timestamptz NOT NULL
);
