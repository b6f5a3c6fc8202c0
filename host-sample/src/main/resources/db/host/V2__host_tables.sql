-- Bearer tokens: only the SHA-256 of a token is kept, so a leaked table grants nothing.
CREATE TABLE host_tokens
(
  token_hash TEXT PRIMARY KEY,
  user_id    TEXT        NOT NULL,
  roles      TEXT[]      NOT NULL,
  created_at TIMESTAMPTZ NOT NULL
);

-- What the admin decided about each plugin found in the plugins folder, and its saved config.
CREATE TABLE host_plugins
(
  plugin_id  TEXT PRIMARY KEY,
  installed  BOOLEAN     NOT NULL,
  enabled    BOOLEAN     NOT NULL,
  config     JSONB       NOT NULL DEFAULT '{}'::jsonb,
  updated_at TIMESTAMPTZ NOT NULL
);

-- Every finished run of a plugin job, on whichever node ran it. request_id ties a manual run
-- (runNow) to its caller, which may wait on another node.
CREATE TABLE host_job_runs
(
  id           BIGSERIAL PRIMARY KEY,
  plugin_id    TEXT        NOT NULL,
  job_name     TEXT        NOT NULL,
  request_id   TEXT UNIQUE,
  started_at   TIMESTAMPTZ NOT NULL,
  ended_at     TIMESTAMPTZ NOT NULL,
  outcome      TEXT        NOT NULL,
  rows_touched BIGINT      NOT NULL,
  message      TEXT,
  node         TEXT        NOT NULL
);

CREATE INDEX host_job_runs_last ON host_job_runs (plugin_id, job_name, started_at DESC);
