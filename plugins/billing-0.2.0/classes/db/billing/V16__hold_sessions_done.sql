-- When the sessions of a lifted hold (V11) were resumed, or found still held by another hold, so
-- there was nothing to resume. A lift commits before the host is told to resume its sessions: a
-- crash, or a host that fails to answer, leaves this null, and check-quotas resumes them then.
-- (An active hold needs no mark: check-quotas suspends the sessions of every held account again.)
ALTER TABLE billing_account_holds ADD COLUMN sessions_done_at timestamptz;
UPDATE billing_account_holds SET sessions_done_at = lifted_at WHERE lifted_at IS NOT NULL;
CREATE INDEX billing_account_holds_not_resumed ON billing_account_holds (user_id)
    WHERE lifted_at IS NOT NULL AND sessions_done_at IS NULL;
