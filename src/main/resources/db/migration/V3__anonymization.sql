-- The right to be forgotten: anonymization requests, the nightly runs that carry them out, and the indexes that
-- let a run find a person's records by their number/email, in from/to and mentioned in texts, without scanning.

-- One row per person to forget in one org. phone (E.164) / email (lower-cased) are clear while WAITING, masked
-- (most characters '*') once DONE. report: records changed per store. Rows are deleted 12 months after creation.
CREATE TABLE anonymization_requests (
  id                           uuid        PRIMARY KEY,
  org_id                       text        NOT NULL REFERENCES orgs (org_id),
  phone                        text,
  email                        text,
  scope                        text[]      NOT NULL,
  delete_recordings_and_bodies boolean     NOT NULL DEFAULT false,
  status                       text        NOT NULL DEFAULT 'WAITING' CHECK (status IN ('WAITING', 'DONE')),
  created_at                   timestamptz NOT NULL DEFAULT now(),
  done_at                      timestamptz,
  run_id                       uuid,
  report                       jsonb,
  CONSTRAINT anonymization_requests_identity CHECK (phone IS NOT NULL OR email IS NOT NULL),
  CONSTRAINT anonymization_requests_scope CHECK (scope <@ ARRAY['archive', 'raw'] AND 'archive' = ANY (scope))
);
CREATE INDEX anonymization_requests_waiting ON anonymization_requests (created_at, id) WHERE status = 'WAITING';
CREATE INDEX anonymization_requests_org ON anonymization_requests (org_id, created_at DESC, id DESC);
CREATE INDEX anonymization_requests_created ON anonymization_requests (created_at);

-- One row per run of the anonymizer. At most one is running (the advisory lock makes it so; the index proves it),
-- and a scheduled slot (02:00 of a given night) runs once however many pods wake up for it.
CREATE TABLE anonymizer_runs (
  run_id             uuid        PRIMARY KEY,
  status             text        NOT NULL CHECK (status IN ('running', 'done', 'failed')),
  trigger            text        NOT NULL CHECK (trigger IN ('schedule', 'api')),
  scheduled_for      timestamptz,
  pod                text,
  started_at         timestamptz NOT NULL,
  finished_at        timestamptz,
  requests_done      integer     NOT NULL DEFAULT 0,
  requests_failed    integer     NOT NULL DEFAULT 0,
  records_anonymized bigint      NOT NULL DEFAULT 0,
  records            jsonb       NOT NULL DEFAULT '{}',  -- per store
  details            jsonb       NOT NULL DEFAULT '{}'   -- timings, clean-up, retention, errors
);
CREATE UNIQUE INDEX anonymizer_runs_one_running ON anonymizer_runs ((true)) WHERE status = 'running';
CREATE UNIQUE INDEX anonymizer_runs_slot ON anonymizer_runs (scheduled_for) WHERE scheduled_for IS NOT NULL;
CREATE INDEX anonymizer_runs_started ON anonymizer_runs (started_at DESC);

-- identity_tokens: what a person's number or email looks like inside free text, as index keys. Number runs are
-- digit groups joined by at most two separators ("+47 912 34 567"); every window of consecutive groups holding 6
-- to 17 digits becomes a key (so "912 34 567" yields 91234567 and "0047 91234567" yields 004791234567), and every
-- email address its lower-cased self. A request looks its forms up (IdentityMatcher.tokens(), same rules), and
-- IdentityMatcher decides exactly what to replace in the rows found. Keep the two in step.
-- It runs for every archived record (index maintenance), so text without an address or a 6-digit run leaves after
-- one cheap test.
CREATE FUNCTION identity_tokens(content text) RETURNS text[]
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
DECLARE
  tokens text[] := '{}';
  run    text;
  groups text[];
  digits text;
BEGIN
  IF strpos(content, '@') > 0 THEN
    tokens := ARRAY(SELECT lower(m[1]) FROM regexp_matches(content, '([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)', 'g') AS m);
  ELSIF content !~ '[0-9][ .()/-]{0,2}[0-9][ .()/-]{0,2}[0-9][ .()/-]{0,2}[0-9][ .()/-]{0,2}[0-9][ .()/-]{0,2}[0-9]' THEN
    RETURN NULL;
  END IF;
  FOR run IN
    SELECT m[1] FROM regexp_matches(content, '(?<![A-Za-z0-9_+])(\+?[0-9]+(?:[ .()/-]{1,2}[0-9]+)*)(?![A-Za-z0-9_])', 'g') AS m
  LOOP
    CONTINUE WHEN length(run) < 6;
    groups := regexp_split_to_array(ltrim(run, '+'), '[^0-9]+');
    FOR i IN 1 .. cardinality(groups) LOOP
      digits := '';
      FOR j IN i .. cardinality(groups) LOOP
        digits := digits || groups[j];
        EXIT WHEN length(digits) > 17;
        IF length(digits) >= 6 THEN
          tokens := tokens || digits;
        END IF;
      END LOOP;
    END LOOP;
  END LOOP;
  RETURN NULLIF(ARRAY(SELECT DISTINCT t FROM unnest(tokens) AS t), '{}');
END $$;

-- The index expression of a record's free text (body, variable values), keys prefixed with its org: a lookup names
-- the org in the keys, so it can only be answered by this index, never by scanning an org's rows and calling this.
CREATE FUNCTION communication_identities(org_id text, body text, variables jsonb) RETURNS text[]
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE COST 1000 AS $$
DECLARE
  tokens text[];
BEGIN
  -- Values, not the document's text: there a line break inside a value reads as "\n" and would hide a number after it.
  tokens := identity_tokens(coalesce(body, '') || E'\n' || coalesce((SELECT string_agg(value, E'\n') FROM jsonb_each_text(variables)), ''));
  RETURN CASE WHEN tokens IS NULL THEN NULL ELSE ARRAY(SELECT org_id || ':' || t FROM unnest(tokens) AS t) END;
END $$;

-- The parties a raw payload names, as received (Twilio form fields, our own stream fields), emails lower-cased.
-- Plain field reads, cheap for every raw event; mentions inside raw bodies are reached through their record's sid.
CREATE FUNCTION raw_event_parties(payload jsonb) RETURNS text[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_remove(ARRAY[payload ->> 'From', payload ->> 'To', payload ->> 'Caller', payload ->> 'Called',
                            lower(payload ->> 'from'), lower(payload ->> 'to'), payload ->> 'driver', payload ->> 'recipient'], NULL)
$$;

-- A person's records: as a party through the archive's (org_id, from_addr/to_addr, ...) b-tree indexes, mentioned in
-- a body, an email text or a variable value through communications_identities; their raw payloads as a party through
-- raw_events_parties, else through the sids and tasks of their records. All per partition: a request costs index
-- probes per month of archive, never a scan of it.
CREATE INDEX communications_identities ON communications USING gin (communication_identities(org_id, body, variables));
CREATE INDEX raw_events_parties ON raw_events USING gin (raw_event_parties(payload));
