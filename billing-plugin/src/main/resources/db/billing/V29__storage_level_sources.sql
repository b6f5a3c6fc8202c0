-- Which session and which event reported each storage level; null for the levels stored
-- before. A level is the organization's its session is billed to, fixed by the session.created,
-- whatever a later event of the session names: the session lets a level that an event without
-- org_id stored under its user's personal organization move once the session.created arrives.
-- The event id breaks a tie between two reports of one organization at one instant (two
-- members' sessions, or one user's two): the greater event id's level is kept, as memberships
-- are decided, so the level never depends on the order events arrive in.
ALTER TABLE billing_storage_levels
    ADD COLUMN session_id text COLLATE "C",
    ADD COLUMN event_id   text COLLATE "C";
