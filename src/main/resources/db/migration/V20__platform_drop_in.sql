-- A delivery platform's credentials per org (Onfleet): the webhook secret verifies its task webhooks, the API key
-- looks up workers. Write-only through the API: GET /v1/orgs tells only whether each is set.
CREATE TABLE org_platform_credentials (
  org_id                 text PRIMARY KEY REFERENCES orgs (org_id),
  onfleet_webhook_secret text,
  onfleet_api_key        text,
  updated_at             timestamptz NOT NULL DEFAULT now()
);

-- Trigger notifications: each row is the notification's state and, while status = 'queued', its outbox entry.
-- A sender claims due rows (SKIP LOCKED) with a lease, so a pod that dies mid-send leaves the row to another pod
-- once the lease has passed. status: queued | accepted | sending | sent | delivered | undelivered | failed | dead
-- ('dead' = the dead letter: given up after max attempts or refused by the provider; error says why).
CREATE TABLE notifications (
  id              text        PRIMARY KEY,
  org_id          text        NOT NULL REFERENCES orgs (org_id),
  idempotency_key text        NOT NULL,
  to_phone        text        NOT NULL,
  from_phone      text        NOT NULL,
  body            text        NOT NULL,
  task_id         text,
  status          text        NOT NULL,
  status_at       timestamptz NOT NULL,
  attempts        integer     NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  lease_until     timestamptz,
  provider_sid    text,
  error           text,
  anonymized      boolean     NOT NULL DEFAULT false,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  CONSTRAINT notifications_idempotency UNIQUE (org_id, idempotency_key)
);
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'queued';
CREATE INDEX notifications_org_to ON notifications (org_id, to_phone);
