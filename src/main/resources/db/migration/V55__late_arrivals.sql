-- What a run did to a record, kept on the record so that what arrives for it later is treated alike
-- (docs/ANONYMIZER.md, "Late arrivals"): content_deleted = its bodies and recordings were deleted
-- (deleteRecordingsAndBodies, or anonymize-and-delete). A constant default: no rewrite of the partitions.
ALTER TABLE communications ADD COLUMN content_deleted boolean NOT NULL DEFAULT false;

-- Recordings to delete at the provider that no record holds: a recording callback that came after its record's
-- bodies and recordings were deleted. Written by the archiver in the statement that applies the callback, deleted
-- once the provider no longer has the recording; until then retried (next_attempt_at), never dropped.
CREATE TABLE recording_deletions (
  recording_sid   text        PRIMARY KEY,
  org_id          text        NOT NULL,
  provider_sid    text        NOT NULL,  -- the call it belongs to
  attempts        integer     NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text,
  queued_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX recording_deletions_due ON recording_deletions (next_attempt_at);
