-- An organization always has an Owner. An organization event that would take the Owner role from
-- its last Owner (by event time), or a second org.created of an organization, is kept (never
-- dropped) but refused: refused says why ('last_owner', 'duplicate_creation'), null when the
-- event applies. OwnershipRule decides it from all of the organization's events each time one
-- of them is stored (OrgEventRefusals), so any order of delivery gives the same marks, and an
-- event arriving late can lift a refusal (a new Owner added earlier by event time) or make one.
--
-- Nothing to decide for the rows already stored: V25 and V26 were never released, so no
-- organization event predates this column.
ALTER TABLE billing_org_events
    ADD COLUMN refused text CHECK (refused IN ('last_owner', 'duplicate_creation'));

-- The memberships in effect now: each member's latest event that is not refused, when it left
-- them a role. Without the refused events, the last Owner's latest event is the one that made
-- them Owner, so every organization that has had an Owner still has one.
CREATE OR REPLACE VIEW billing_memberships AS
SELECT org_id, user_id, role, occurred_at AS role_since
FROM (SELECT DISTINCT ON (org_id, user_id) org_id, user_id, role, occurred_at
      FROM billing_org_events
      WHERE user_id IS NOT NULL AND refused IS NULL
      ORDER BY org_id, user_id, occurred_at DESC, event_id DESC) latest
WHERE role IS NOT NULL;

