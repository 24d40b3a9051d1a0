-- Org API keys. The secret is shown once at creation; only its SHA-256 is kept. The prefix ("mlk_" + 12 hex) is
-- the key's public name: it is part of the credential, shown in lists and written to the audit log.
CREATE TABLE org_keys (
  prefix      text PRIMARY KEY,
  org_id      text        NOT NULL REFERENCES orgs (org_id),
  role        text        NOT NULL CHECK (role IN ('admin', 'viewer')),
  secret_hash bytea       NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text        NOT NULL
);
CREATE INDEX org_keys_org ON org_keys (org_id);
