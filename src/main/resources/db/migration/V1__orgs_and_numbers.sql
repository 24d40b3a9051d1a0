-- Organizations and their routing settings; the routing facts are mirrored to Redis on every write.
CREATE TABLE orgs (
  org_id                    text PRIMARY KEY,
  name                      text        NOT NULL,
  email                     text,
  admin_phone               text,
  admin_phone_accepts_sms   boolean     NOT NULL DEFAULT true,
  anonymize                 boolean     NOT NULL DEFAULT true,
  route_recipients_to_admin boolean     NOT NULL DEFAULT false,
  record_calls              boolean     NOT NULL DEFAULT false,
  country                   text,
  created_at                timestamptz NOT NULL DEFAULT now(),
  updated_at                timestamptz NOT NULL DEFAULT now()
);

-- Proxy numbers: org_id set = that org's dedicated number, null = the shared platform pool.
CREATE TABLE proxy_numbers (
  number   text PRIMARY KEY,
  org_id   text REFERENCES orgs (org_id),
  added_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX proxy_numbers_org ON proxy_numbers (org_id);
