-- The add-on store's items (io.streamspace.billing.store): theme bundles that creators submit.
-- An item is one creator's named bundle; each submission that passed validation is a version of
-- it, kept with its archive and manifest until a platform admin approves or rejects it. The
-- catalog shows each listed item at its latest approved version.
CREATE TABLE billing_store_items (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    creator_id    text COLLATE "C" NOT NULL CHECK (length(creator_id) > 0),
    name          text        NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    created_at    timestamptz NOT NULL,
    -- an admin took it off the catalog, for a reason; its buyers keep what they bought
    delisted_at   timestamptz CHECK (delisted_at >= created_at),
    delist_reason text,
    CHECK ((delisted_at IS NULL) = (delist_reason IS NULL)),
    UNIQUE (creator_id, name)
);

CREATE TABLE billing_store_item_versions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id       bigint      NOT NULL REFERENCES billing_store_items (id),
    version       text        NOT NULL CHECK (length(version) BETWEEN 5 AND 40),
    status        text        NOT NULL CHECK (status IN ('pending_review', 'approved', 'rejected')),
    -- the prices the manifest asks, each in its currency's minor unit (USD cents, whole VND)
    price_usd     numeric(14, 2) CHECK (price_usd > 0),
    price_vnd     numeric(16, 0) CHECK (price_vnd > 0),
    sale_kind     text        NOT NULL CHECK (sale_kind IN ('one_time', 'time_limited', 'free')),
    sale_days     int         CHECK (sale_days BETWEEN 1 AND 3650),
    manifest      jsonb       NOT NULL CHECK (jsonb_typeof(manifest) = 'object'),
    bundle        bytea       NOT NULL,
    bundle_sha256 text        NOT NULL CHECK (bundle_sha256 ~ '^[0-9a-f]{64}$'),
    submitted_at  timestamptz NOT NULL,
    reviewed_at   timestamptz CHECK (reviewed_at >= submitted_at),
    reviewed_by   text,
    reject_reason text,
    UNIQUE (item_id, version),
    CHECK ((sale_kind = 'time_limited') = (sale_days IS NOT NULL)),
    CHECK ((sale_kind = 'free') = (price_usd IS NULL AND price_vnd IS NULL)),
    CHECK ((status = 'pending_review') = (reviewed_at IS NULL AND reviewed_by IS NULL)),
    CHECK ((status = 'rejected') = (reject_reason IS NOT NULL))
);
-- an item has one version waiting for review at a time: a new submission waits for the last
CREATE UNIQUE INDEX billing_store_item_versions_one_pending
    ON billing_store_item_versions (item_id) WHERE status = 'pending_review';
-- the moderation queue, oldest first
CREATE INDEX billing_store_item_versions_queue
    ON billing_store_item_versions (submitted_at) WHERE status = 'pending_review';
CREATE INDEX billing_store_item_versions_item ON billing_store_item_versions (item_id, id);
