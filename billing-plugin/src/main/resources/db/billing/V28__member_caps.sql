-- Member caps: what one member of a team organization may hold at once inside it, set by the
-- organization's Admin or Owner. Only the concurrent meters (what admission counts from memory
-- as sessions open and end); a null column leaves that meter uncapped. Admission refuses a
-- session under the organization that would take the member past a cap (code member_cap); the
-- member's sessions under other organizations, or their personal one, do not count.
-- One row per (organization, member): a PUT replaces it whole, a DELETE removes it.
CREATE TABLE billing_member_caps (
    org_id          text COLLATE "C" NOT NULL REFERENCES billing_accounts (user_id),
    user_id         text COLLATE "C" NOT NULL,
    active_sessions integer CHECK (active_sessions >= 0),
    cpu_cores       numeric CHECK (cpu_cores >= 0),
    memory_gb       numeric CHECK (memory_gb >= 0),
    set_by          text COLLATE "C" NOT NULL,
    set_at          timestamptz NOT NULL,
    PRIMARY KEY (org_id, user_id),
    CHECK (num_nonnulls(active_sessions, cpu_cores, memory_gb) > 0)
);
