-- The audit trail: one entry per change of money or of what decides money, written in the
-- transaction of the change (io.streamspace.billing.audit explains the choices).
--
-- Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE for every role, and the privileges
-- to do so are revoked from PUBLIC and from the role that runs the migrations (the plugin's).
-- A superuser ignores privileges, and the table's owner may disable the trigger: the hash chain
-- is what shows such an edit afterwards (GET /admin/audit/verify).
--
-- Tamper-evident: entries form one chain per organization ('' for platform-wide changes). Each
-- entry holds its place in its chain (chain_seq, from 1, no gap), the hash of the previous entry
-- of its chain, and its own hash: SHA-256 over the entry's fields followed by the previous
-- hash in hex (billing_audit_hash). A row trigger fills the three from the chain's head row,
-- which it locks until the transaction ends: entries of one organization take turns, those of different
-- organizations never wait for each other, so a whole invoice run does not hold every admin
-- action behind it, and a set-based statement that writes 100,000 entries needs no loop.

CREATE TABLE billing_audit_entries (
    id          bigserial   PRIMARY KEY,
    chain       text        NOT NULL,
    chain_seq   bigint      NOT NULL,
    occurred_at timestamptz NOT NULL,
    actor_type  text        NOT NULL
        CHECK (actor_type IN ('user', 'admin', 'platform', 'job', 'stripe')),
    actor_id    text,
    org_id      text,
    kind        text        NOT NULL,
    subject     text,
    before      jsonb,
    after       jsonb,
    reason      text,
    request_id  text,
    prev_hash   bytea,
    hash        bytea       NOT NULL,
    CONSTRAINT billing_audit_entries_chain_place UNIQUE (chain, chain_seq)
);

-- the admin's filters: by organization, by time, newest first
CREATE INDEX billing_audit_entries_org ON billing_audit_entries (org_id, id);
CREATE INDEX billing_audit_entries_time ON billing_audit_entries (occurred_at, id);

-- Each chain's last entry: a missing tail (entries deleted from the end) shows against it.
-- previous_hash is the hash before the last one, kept for the trigger (see below).
CREATE TABLE billing_audit_chains (
    chain         text   PRIMARY KEY,
    last_seq      bigint NOT NULL,
    last_hash     bytea  NOT NULL,
    previous_hash bytea
);

-- An entry's hash: SHA-256 over the text of every field, in a fixed order, as a JSON array,
-- followed by the previous hash in hex. jsonb's text is canonical (keys sorted, numbers as
-- written) and the instant is written in UTC to the microsecond, so the same entry gives the
-- same text whatever the session's time zone. It takes the fields one by one, not the row: a
-- function of the table's row type would depend on the table, and the plugin's purge drops its
-- tables without CASCADE.
CREATE FUNCTION billing_audit_hash(
    id bigint, chain text, chain_seq bigint, occurred_at timestamptz, actor_type text,
    actor_id text, org_id text, kind text, subject text, before jsonb, after jsonb, reason text,
    request_id text, prev_hash bytea) RETURNS bytea
LANGUAGE sql STABLE AS $$
  SELECT sha256(convert_to(
           jsonb_build_array(
             id, chain, chain_seq,
             to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
             actor_type, actor_id, org_id, kind, subject, before, after, reason,
             request_id)::text
           || coalesce(encode(prev_hash, 'hex'), ''),
           'UTF8'))
$$;

-- One statement per entry: the head row is created with the chain's first entry, or moved on
-- by one, keeping the hash it held (the new entry's prev_hash) beside the new one. The hash of
-- a first entry is computed either way (the VALUES), a cheap price for one round trip.
CREATE FUNCTION billing_audit_link() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  head billing_audit_chains%ROWTYPE;
BEGIN
  NEW.chain := coalesce(NEW.org_id, '');
  INSERT INTO billing_audit_chains AS h (chain, last_seq, last_hash, previous_hash)
  VALUES (NEW.chain, 1,
          billing_audit_hash(NEW.id, NEW.chain, 1, NEW.occurred_at, NEW.actor_type, NEW.actor_id,
                             NEW.org_id, NEW.kind, NEW.subject, NEW.before, NEW.after,
                             NEW.reason, NEW.request_id, NULL),
          NULL)
  ON CONFLICT (chain) DO UPDATE
  SET last_seq = h.last_seq + 1,
      previous_hash = h.last_hash,
      last_hash = billing_audit_hash(NEW.id, NEW.chain, h.last_seq + 1, NEW.occurred_at,
                                     NEW.actor_type, NEW.actor_id, NEW.org_id, NEW.kind,
                                     NEW.subject, NEW.before, NEW.after, NEW.reason,
                                     NEW.request_id, h.last_hash)
  RETURNING * INTO head;
  NEW.chain_seq := head.last_seq;
  NEW.prev_hash := head.previous_hash;
  NEW.hash := head.last_hash;
  RETURN NEW;
END $$;

CREATE TRIGGER billing_audit_entries_link BEFORE INSERT ON billing_audit_entries
FOR EACH ROW EXECUTE FUNCTION billing_audit_link();

CREATE FUNCTION billing_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'billing_audit_entries is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER billing_audit_entries_append_only BEFORE UPDATE OR DELETE ON billing_audit_entries
FOR EACH ROW EXECUTE FUNCTION billing_audit_refuse();

CREATE TRIGGER billing_audit_entries_no_truncate BEFORE TRUNCATE ON billing_audit_entries
FOR EACH STATEMENT EXECUTE FUNCTION billing_audit_refuse();

REVOKE UPDATE, DELETE, TRUNCATE ON billing_audit_entries FROM PUBLIC;

DO $$ BEGIN
  EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON billing_audit_entries FROM %I', current_user);
END $$;
