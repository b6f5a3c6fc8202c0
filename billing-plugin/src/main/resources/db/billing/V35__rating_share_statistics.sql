-- calculate-usage splits the accounts into two shares, rated in concurrent transactions, by
-- mod(hashtext(account) + 2^31, 2) (RatingRepository's IN_SHARE). Without statistics on that
-- expression the planner guesses it keeps 0.5 % of the rows instead of half, and plans each
-- share's statement for a few hundred subjects where there are tens of thousands. ANALYZE
-- (autovacuum's, or the benchmark's) fills these in; they match the statement's expression only
-- for the default two shares (UsageCalculator.RATING_TRANSACTIONS).
CREATE STATISTICS billing_sessions_rating_share
    ON (mod(hashtext(org_id)::bigint + 2147483648, 2)) FROM billing_sessions;
CREATE STATISTICS billing_accounts_rating_share
    ON (mod(hashtext(user_id)::bigint + 2147483648, 2)) FROM billing_accounts;
