-- A plugin's state (installed, enabled, config) is changed on one node and applied on all: every
-- change bumps version, and each node applies the rows whose version is newer than the one it
-- applied last (PluginStateWatch, README "Running several nodes").
ALTER TABLE host_plugins ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
