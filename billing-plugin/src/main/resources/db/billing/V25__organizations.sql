-- Organizations: the customer is a team. The billing account is an organization; users are its
-- members, each with a role (owner, admin, member). Quotas, holds, packs, credits, invoices,
-- spending limits and the Stripe customer stay keyed by the account, which is now the
-- organization.
--
-- The account-keyed tables keep their key column's name, user_id: it holds the organization's
-- id. A user's personal organization (the one a user with no team is billed under) has the
-- user's id, so every account opened before this migration is the personal organization of its
-- user, with its invoices and their numbers, credits, packs, holds, spending limit, Stripe
-- customer and history untouched: no row of them moves.

-- personal: the organization of one user, keyed by that user's id, who is its Owner (no
-- membership rows: its one member is implicit). A team organization is opened by its
-- org.created, or first by a session or report naming it (on the defaults, as a session opens a
-- personal account before its user.created: its org.created then adopts its terms).
ALTER TABLE billing_accounts
    ADD COLUMN personal  boolean NOT NULL DEFAULT true,
    ADD COLUMN name      text,
    ADD COLUMN closed_at timestamptz; -- the org.deleted's instant: closed from then on
ALTER TABLE billing_accounts ALTER COLUMN personal DROP DEFAULT;
-- user_created_at (V6) now means the instant of the event that set the account's currency and
-- plan: a personal organization's user.created, a team organization's org.created; null while
-- the account is on the defaults a session or report opened it with. Either event adopts its
-- terms as if it had come first, on the same rules (MeteringStore; an org.created never adopts
-- a personal account, nor a user.created a team's).

-- Every organization event, kept by its id so that a redelivery inserts nothing. Memberships
-- are decided from them by event time, whatever order they arrived in: a member's role at an
-- instant is that of their latest event up to it (ties broken by event id), none after a
-- removal. An event of an organization whose org.created has not arrived is kept like any
-- other and counts once it has. org.created is its owner's first membership event.
CREATE TABLE billing_org_events (
    event_id    text COLLATE "C" PRIMARY KEY,
    org_id      text COLLATE "C" NOT NULL,
    type        text NOT NULL CHECK (type IN ('org.created', 'org.member_added',
                    'org.member_role_changed', 'org.member_removed', 'org.deleted')),
    user_id     text COLLATE "C",            -- the member; org.created's owner; null on deletion
    role        text CHECK (role IN ('owner', 'admin', 'member')), -- null: left, or deleted
    occurred_at timestamptz NOT NULL,
    CHECK ((type = 'org.deleted') = (user_id IS NULL)),
    CHECK ((type IN ('org.member_removed', 'org.deleted')) = (role IS NULL))
);
-- a member's latest event first: the role in effect is the first row of this index
CREATE INDEX billing_org_events_member
    ON billing_org_events (org_id, user_id, occurred_at DESC, event_id DESC);
-- the organizations a user belongs to
CREATE INDEX billing_org_events_user ON billing_org_events (user_id) WHERE user_id IS NOT NULL;

-- The memberships in effect now: each member's latest event, when it left them a role.
CREATE VIEW billing_memberships AS
SELECT org_id, user_id, role, occurred_at AS role_since
FROM (SELECT DISTINCT ON (org_id, user_id) org_id, user_id, role, occurred_at
      FROM billing_org_events
      WHERE user_id IS NOT NULL
      ORDER BY org_id, user_id, occurred_at DESC, event_id DESC) latest
WHERE role IS NOT NULL;

-- A session is billed to the organization it runs under (its session.created's org_id, else its
-- user's personal organization); user_id stays the member who ran it. org_fixed: the org_id is
-- its session.created's (until that arrives, the first event's, which it then replaces).
ALTER TABLE billing_sessions
    ADD COLUMN org_id    text COLLATE "C",
    ADD COLUMN org_fixed boolean NOT NULL DEFAULT true;
UPDATE billing_sessions SET org_id = user_id;
ALTER TABLE billing_sessions ALTER COLUMN org_id SET NOT NULL;
ALTER TABLE billing_sessions ALTER COLUMN org_fixed DROP DEFAULT;
CREATE INDEX billing_sessions_org ON billing_sessions (org_id);

-- A usage report too (its org_id, else its user's personal organization); user_id stays the
-- member who consumed it. Counters are summed per organization.
ALTER TABLE billing_usage_reports ADD COLUMN org_id text COLLATE "C";
UPDATE billing_usage_reports SET org_id = user_id;
ALTER TABLE billing_usage_reports ALTER COLUMN org_id SET NOT NULL;
DROP INDEX billing_usage_reports_counter;
CREATE INDEX billing_usage_reports_counter
    ON billing_usage_reports (org_id, meter, occurred_at) INCLUDE (quantity);
