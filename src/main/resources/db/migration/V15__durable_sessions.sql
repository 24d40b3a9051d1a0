-- Sessions are durable here; Redis holds their hot index (routing keys, in-use sets, pool usage), rebuilt from this
-- table when Redis loses its data. Keyed by (org, task): two orgs may use the same task id.
-- A closed session stays for session.historyTtl (post-task routing), then the expiry sweep deletes it.
CREATE TABLE sessions (
  org_id          text        NOT NULL,
  task_id         text        NOT NULL,
  proxy_number    text,                          -- null: the org does not anonymize
  pool            text        NOT NULL DEFAULT '' CHECK (pool IN ('', 'org', 'shared')),
  driver_phone    text        NOT NULL,
  recipient_phone text        NOT NULL,
  variables       jsonb       NOT NULL DEFAULT '{}',
  opened_at       timestamptz NOT NULL,
  expires_at      timestamptz NOT NULL,
  closed_at       timestamptz,
  close_reason    text,
  CONSTRAINT sessions_pk PRIMARY KEY (org_id, task_id)
);
-- GET/DELETE /v1/sessions/{taskId} without an org.
CREATE INDEX sessions_task ON sessions (task_id);
-- The sweep of sessions past their safety TTL, and the rebuild of Redis: open sessions only.
CREATE INDEX sessions_open ON sessions (expires_at) WHERE closed_at IS NULL;
CREATE INDEX sessions_closed ON sessions (closed_at) WHERE closed_at IS NOT NULL;
-- Attributing an event answered without Redis to its org: who was bound on this proxy number at that time.
CREATE INDEX sessions_proxy ON sessions (proxy_number, opened_at DESC) WHERE proxy_number IS NOT NULL;
