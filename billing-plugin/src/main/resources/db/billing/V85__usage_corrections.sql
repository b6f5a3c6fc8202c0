-- Usage corrections (issue 54): an admin corrects accepted usage without rewriting it. A
-- correction is kept as a journal of its own beside what it corrects, which stays as it was:
-- each entry refers to the event or session it corrects (or holds the event it adds), and the
-- corrected history is the recorded one read through the entries, in the order they were made.
-- (io.streamspace.billing.corrections; docs/correcting-usage-and-invoices.md.)

-- One correction: an admin's request, applied in idempotent steps keyed by its id, each in a
-- transaction of its own, so that a retry, a second node or a crash between two steps never
-- applies one twice: recorded (the journal written), applied (its usage re-rated and its money
-- effect stored, in one transaction), announced (billing.usage.corrected sent). The credit notes
-- of its less costly finalized periods are issued in a step of their own between the last two,
-- one per invoice (V87's billing_correction_credits).
CREATE TABLE billing_corrections (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- the admin and a name-based UUID of their Idempotency-Key (a retry finds its correction),
    -- or a random one without a key; never the key itself
    source       text COLLATE "C" NOT NULL UNIQUE,
    -- a digest of the request's reason and items: a key given again with another body is refused
    request_hash text        NOT NULL,
    reason       text        NOT NULL,
    actor_id     text        NOT NULL,
    request_id   text,
    created_at   timestamptz NOT NULL,
    step         text        NOT NULL DEFAULT 'recorded'
                     CHECK (step IN ('recorded', 'applied', 'announced')),
    applied_at   timestamptz,
    CHECK ((step = 'recorded') = (applied_at IS NULL))
);
-- the corrections a crash or a refusal left part way (few): what a later request finishes
CREATE INDEX billing_corrections_unfinished ON billing_corrections (id) WHERE step <> 'announced';

-- Its entries, each its own journal entry: a cancel of an accepted event (event_id), a session's
-- sizes amended over [from_at, to_at) (session_id and the sizes it sets; null: unchanged), a
-- usage report's quantity amended (event_id, quantity), or one event backfilled (event: as
-- posted, in intake's shape; event_id its id). item_no is the item of the request it came from
-- (a backfill item's events are entries of one item); org_id the organization whose usage it
-- corrects, as the correction found it.
CREATE TABLE billing_correction_entries (
    correction_id bigint      NOT NULL REFERENCES billing_corrections (id),
    entry_no      int         NOT NULL CHECK (entry_no >= 0),
    item_no       int         NOT NULL CHECK (item_no >= 0),
    kind          text        NOT NULL
                      CHECK (kind IN ('cancel', 'amend_sizes', 'amend_quantity', 'backfill')),
    org_id        text COLLATE "C" NOT NULL,
    event_id      text COLLATE "C",
    session_id    text COLLATE "C",
    from_at       timestamptz,
    to_at         timestamptz,
    cpu_cores     numeric CHECK (cpu_cores >= 0),
    memory_gb     numeric CHECK (memory_gb >= 0),
    storage_gb    numeric CHECK (storage_gb >= 0),
    resources     jsonb,
    quantity      numeric CHECK (quantity >= 0),
    event         jsonb,
    PRIMARY KEY (correction_id, entry_no),
    CHECK ((kind IN ('cancel', 'amend_quantity', 'backfill')) = (event_id IS NOT NULL)),
    CHECK ((kind = 'amend_sizes') = (session_id IS NOT NULL AND from_at < to_at)),
    CHECK ((kind = 'amend_quantity') = (quantity IS NOT NULL)),
    CHECK ((kind = 'backfill') = (event IS NOT NULL)),
    CHECK (kind = 'amend_sizes' OR (cpu_cores IS NULL AND memory_gb IS NULL
                                    AND storage_gb IS NULL AND resources IS NULL))
);
-- the entries that correct an event (cancels, amended quantities), by the event
CREATE INDEX billing_correction_entries_event ON billing_correction_entries (event_id)
    WHERE kind IN ('cancel', 'amend_quantity');
-- an organization's entries: what its corrected history is read from
CREATE INDEX billing_correction_entries_org ON billing_correction_entries (org_id);
-- an event is backfilled once
CREATE UNIQUE INDEX billing_correction_entries_backfilled ON billing_correction_entries (event_id)
    WHERE kind = 'backfill';
