-- Recipients who texted STOP (or a synonym) to one of an org's numbers: no forwarding and no notifications to them
-- from that org until they text START. Mirrored to Redis (one set per org) for the webhook hot path.
CREATE TABLE opt_outs (
  org_id       text        NOT NULL,
  phone        text        NOT NULL,
  opted_out_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, phone)
);
CREATE INDEX opt_outs_phone ON opt_outs (phone);
