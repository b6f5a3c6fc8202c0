-- Secrets an admin sets through a plugin's config are kept apart from it, encrypted (AES-GCM,
-- README "Secrets"): {"<secret key>": "v1:<key id>:<base64 nonce and ciphertext>"}. They change
-- with the config, under the same row lock and version.
ALTER TABLE host_plugins ADD COLUMN secrets JSONB NOT NULL DEFAULT '{}'::jsonb;
