-- The archive: one row per call / SMS / email (communications) and every payload as received (raw_events),
-- both range-partitioned by month so retention is a DROP of whole partitions and scans stay per month.
--
-- Partition key: archive_month, the first day (UTC) of the month of started_at (received_at for raw_events).
-- Why a month column and not started_at itself: Postgres only enforces a UNIQUE index on a partitioned table when
-- the index holds the partition key. "Provider sid unique per org" is therefore the index
-- (provider_sid, org_id, archive_month): within a month it is exactly (provider_sid, org_id), so a redelivered or
-- duplicated event for the same sid lands on the same row through ON CONFLICT even when its timestamp differs.
-- (With started_at as the key the index would only reject byte-identical timestamps.) Status callbacks never create
-- rows: they update the row of their sid wherever it lives, or wait in pending_status_updates until it exists, so a
-- late "completed" in the next month cannot start a second row. The one case left: the same interaction delivered
-- twice with timestamps in two different months; the webhook's Sid dedupe makes that a non-event in practice.
--
-- Identities are stored normalized: phone numbers in E.164, email addresses lower-cased, so search is an equality
-- on an index. org_id '' means "no org" (unrouted); such rows are never visible through the org-scoped API.

CREATE FUNCTION archive_month_of(at timestamptz) RETURNS date
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT date_trunc('month', at AT TIME ZONE 'UTC')::date $$;

CREATE SEQUENCE communications_id_seq AS bigint;

CREATE TABLE communications (
  id               bigint      NOT NULL DEFAULT nextval('communications_id_seq'),
  archive_month    date        NOT NULL,
  org_id           text        NOT NULL,
  provider_sid     text        NOT NULL,
  task_id          text,
  channel          text        NOT NULL CHECK (channel IN ('sms', 'voice', 'email')),
  direction        text        NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  from_addr        text,
  to_addr          text,       -- where it went: the forwarded-to number/email, else the number dialled
  proxy_number     text,
  body             text,
  started_at       timestamptz NOT NULL,
  ended_at         timestamptz,
  duration_seconds integer,
  recording_sid    text,
  recording_url    text,
  status           text,
  status_at        timestamptz,  -- time of the status shown; an older status arriving late never overwrites it
  routed_to        text,
  related_sid      text,         -- email rows: the inbound interaction they report
  variables        jsonb       NOT NULL DEFAULT '{}',
  anonymized       boolean     NOT NULL DEFAULT false,
  archived_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT communications_pk PRIMARY KEY (id, archive_month),
  CONSTRAINT communications_provider_sid UNIQUE (provider_sid, org_id, archive_month),
  CONSTRAINT communications_month CHECK (archive_month = archive_month_of(started_at))
) PARTITION BY RANGE (archive_month);
ALTER SEQUENCE communications_id_seq OWNED BY communications.id;

-- Search is always org-scoped and newest first; each index ends in (started_at, id) so a page is one ordered
-- index range per partition, merged (Merge Append), whatever the archive's size.
CREATE INDEX communications_org_time ON communications (org_id, started_at DESC, id DESC);
CREATE INDEX communications_org_from ON communications (org_id, from_addr, started_at DESC, id DESC);
CREATE INDEX communications_org_to ON communications (org_id, to_addr, started_at DESC, id DESC);
CREATE INDEX communications_org_task ON communications (org_id, task_id, started_at DESC, id DESC) WHERE task_id IS NOT NULL;

CREATE TABLE raw_events (
  event_key     text        NOT NULL,  -- kind + sid (+ status + time): a redelivered entry is the same key, stored once
  archive_month date        NOT NULL,
  received_at   timestamptz NOT NULL,
  org_id        text        NOT NULL DEFAULT '',
  kind          text        NOT NULL,  -- interaction | status | email | session | invalid
  provider_sid  text,
  task_id       text,
  payload       jsonb       NOT NULL,  -- provider form parameters as received; our own event fields for session/email
  anonymized    boolean     NOT NULL DEFAULT false,
  CONSTRAINT raw_events_pk PRIMARY KEY (event_key, archive_month),
  CONSTRAINT raw_events_month CHECK (archive_month = archive_month_of(received_at))
) PARTITION BY RANGE (archive_month);
-- Raw payloads are reached through the records they belong to: by provider sid, or by task for session events.
CREATE INDEX raw_events_sid ON raw_events (provider_sid) WHERE provider_sid IS NOT NULL;
CREATE INDEX raw_events_org_task ON raw_events (org_id, task_id) WHERE task_id IS NOT NULL;

-- Status callbacks that came before their interaction: applied (and deleted) as soon as the interaction's row
-- exists. Small by nature; org_id '' when the callback did not know its org (matched by sid alone, which the
-- provider never reuses).
CREATE TABLE pending_status_updates (
  provider_sid     text        NOT NULL,
  org_id           text        NOT NULL,
  status           text,
  status_at        timestamptz,
  duration_seconds integer,
  ended_at         timestamptz,
  recording_sid    text,
  recording_url    text,
  parked_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider_sid, org_id)
);
CREATE INDEX pending_status_updates_parked ON pending_status_updates (parked_at);

-- Creates the monthly partitions of both tables for every month from first_month to last_month that lacks one.
-- Called at start-up (a few months ahead), by the archiver for any month it is about to write, and nightly.
CREATE FUNCTION archive_ensure_partitions(first_month date, last_month date) RETURNS integer
  LANGUAGE plpgsql AS $$
DECLARE
  m       date := date_trunc('month', first_month)::date;
  parent  text;
  name    text;
  created integer := 0;
BEGIN
  -- Pods start together: one creates, the others then find the partitions there.
  PERFORM pg_advisory_xact_lock(hashtext('maskline.archive.partitions'));
  WHILE m <= last_month LOOP
    FOREACH parent IN ARRAY ARRAY['communications', 'raw_events'] LOOP
      name := parent || '_p' || to_char(m, 'YYYY_MM');
      IF to_regclass(name) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                       name, parent, m, (m + interval '1 month')::date);
        created := created + 1;
      END IF;
    END LOOP;
    m := (m + interval '1 month')::date;
  END LOOP;
  RETURN created;
END $$;

-- Retention: drops every partition whose whole month lies before (current UTC month - keep_months), i.e. a month
-- goes once its newest possible row is keep_months old. Returns the names dropped. Run by the nightly job.
CREATE FUNCTION archive_drop_partitions(keep_months integer) RETURNS SETOF text
  LANGUAGE plpgsql AS $$
DECLARE
  cutoff date := (date_trunc('month', now() AT TIME ZONE 'UTC') - make_interval(months => keep_months))::date;
  part   record;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('maskline.archive.partitions'));
  FOR part IN
    SELECT c.relname
    FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    JOIN pg_class p ON p.oid = i.inhparent
    WHERE p.relname IN ('communications', 'raw_events')
      AND c.relname ~ '_p[0-9]{4}_[0-9]{2}$'
      AND to_date(right(c.relname, 7), 'YYYY_MM') < cutoff
    ORDER BY c.relname
  LOOP
    EXECUTE format('DROP TABLE %I', part.relname);
    RETURN NEXT part.relname;
  END LOOP;
END $$;

SELECT archive_ensure_partitions((archive_month_of(now()) - interval '1 month')::date,
                                 (archive_month_of(now()) + interval '3 months')::date);
