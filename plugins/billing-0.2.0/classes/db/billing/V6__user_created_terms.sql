-- The instant of the user.created event that set an account's currency and plan; null while
-- the account is on the defaults a session event opened it with (its user.created has not
-- arrived yet). A user.created for such an account adopts the event's currency and plan as if
-- it had come first, unless money was already rated, invoiced or granted from the defaults
-- (MeteringStore.ADOPT_USER_CREATED).
ALTER TABLE billing_accounts ADD COLUMN user_created_at timestamptz;

-- An account with an email has met its user.created (the only event that carries one); its
-- start is the best instant known for it.
UPDATE billing_accounts SET user_created_at = created_at WHERE email IS NOT NULL;
