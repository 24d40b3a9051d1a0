-- Who (an org key's prefix, or "platform") did what to which org, and when. Details never hold a party's phone
-- number or email: only field names, counts, ids and roles, so erasure has nothing to find here.
CREATE TABLE audit_log (
  id      bigserial PRIMARY KEY,
  org_id  text        NOT NULL,
  at      timestamptz NOT NULL DEFAULT now(),
  actor   text        NOT NULL,
  action  text        NOT NULL,
  details jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_org ON audit_log (org_id, id DESC);
