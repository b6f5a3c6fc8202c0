-- The package each plugin was installed from (README "Installing, updating and uninstalling
-- plugins"): null for a plugin dropped into the plugins folder by hand or handed in-process.
ALTER TABLE host_plugins ADD COLUMN package_version TEXT;
ALTER TABLE host_plugins ADD COLUMN package_sha512 TEXT;
ALTER TABLE host_plugins ADD COLUMN package_url TEXT;

-- Every install, update, uninstall, enable and disable of a plugin: who, when, from which
-- version to which, and how it ended (ok, failed, or rolled_back to the version before).
CREATE TABLE host_plugin_operations
(
  id           BIGSERIAL PRIMARY KEY,
  plugin_id    TEXT        NOT NULL,
  operation    TEXT        NOT NULL,
  from_version TEXT,
  to_version   TEXT,
  actor        TEXT        NOT NULL,
  at           TIMESTAMPTZ NOT NULL,
  outcome      TEXT        NOT NULL CHECK (outcome IN ('ok', 'failed', 'rolled_back')),
  detail       TEXT
);

CREATE INDEX host_plugin_operations_of_plugin ON host_plugin_operations (plugin_id, id DESC);
