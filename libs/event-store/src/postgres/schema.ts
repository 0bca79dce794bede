/**
 * The PostgreSQL event store schema. Global order is (transaction_id, global_position):
 * readers only read rows whose transaction id is below the oldest transaction still in flight
 * (pg_snapshot_xmin), so an event committed late by a slower transaction is never skipped —
 * no timeouts involved. Appends go through one function call: one round trip per append.
 */
export const EVENT_STORE_SCHEMA_VERSION = 2;

export const EVENT_STORE_DDL = /* sql */ `
CREATE TABLE IF NOT EXISTS yl_streams (
  stream_id   text PRIMARY KEY,
  revision    bigint NOT NULL,
  last_hash   text NOT NULL
);

CREATE TABLE IF NOT EXISTS yl_events (
  global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
  event_id        uuid NOT NULL UNIQUE,
  stream_id       text NOT NULL,
  stream_position bigint NOT NULL,
  event_type      text NOT NULL,
  schema_version  int NOT NULL,
  -- json, not jsonb: the text exactly as recorded (the content hash is over it); no conversion
  data            json NOT NULL,
  metadata        json NOT NULL,
  hash            text NOT NULL,
  previous_hash   text,
  recorded_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (stream_id, stream_position)
);

CREATE INDEX IF NOT EXISTS yl_events_global_order ON yl_events (transaction_id, global_position);

-- Events are never updated or deleted.
CREATE OR REPLACE FUNCTION yl_events_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'yl_events is append-only (% refused)', TG_OP USING ERRCODE = 'YL003';
END $$;
DROP TRIGGER IF EXISTS yl_events_no_update ON yl_events;
CREATE TRIGGER yl_events_no_update BEFORE UPDATE OR DELETE ON yl_events
  FOR EACH ROW EXECUTE FUNCTION yl_events_immutable();

-- p_expected: -3 any, -2 stream must exist, -1 stream must not exist, n >= 0 exact revision.
CREATE OR REPLACE FUNCTION yl_append(
  p_stream text, p_expected bigint, p_ids uuid[], p_types text[], p_versions int[],
  p_data json[], p_metadata json[], p_content_hashes text[]
) RETURNS TABLE (
  out_global_position bigint, out_transaction_id xid8, out_stream_position bigint,
  out_hash text, out_previous_hash text, out_recorded_at timestamptz, out_replayed boolean
) LANGUAGE plpgsql AS $$
DECLARE
  v_n int := coalesce(array_length(p_ids, 1), 0);
  v_found int;
  v_rev bigint;
  v_hash text;
  v_prev text;
  i int;
BEGIN
  SELECT count(*) INTO v_found FROM yl_events e WHERE e.event_id = ANY (p_ids);
  IF v_found > 0 THEN
    IF v_found = v_n AND NOT EXISTS (
      SELECT 1 FROM yl_events e WHERE e.event_id = ANY (p_ids) AND e.stream_id <> p_stream
    ) THEN
      RETURN QUERY SELECT e.global_position, e.transaction_id, e.stream_position, e.hash,
          e.previous_hash, e.recorded_at, true
        FROM yl_events e WHERE e.event_id = ANY (p_ids) ORDER BY e.stream_position;
      RETURN;
    END IF;
    RAISE EXCEPTION '% of % event ids already recorded, not all of them in stream %', v_found, v_n, p_stream
      USING ERRCODE = 'YL002';
  END IF;

  SELECT s.revision, s.last_hash INTO v_rev, v_hash FROM yl_streams s WHERE s.stream_id = p_stream FOR UPDATE;
  IF NOT FOUND THEN
    v_rev := -1;
    v_hash := NULL;
  END IF;
  IF (p_expected = -1 AND v_rev <> -1) OR (p_expected = -2 AND v_rev = -1)
     OR (p_expected >= 0 AND p_expected <> v_rev) THEN
    RAISE EXCEPTION '%', v_rev USING ERRCODE = 'YL001';
  END IF;

  FOR i IN 1 .. v_n LOOP
    v_rev := v_rev + 1;
    v_prev := v_hash;
    v_hash := encode(sha256(convert_to(coalesce(v_prev, '') || p_content_hashes[i], 'UTF8')), 'hex');
    RETURN QUERY INSERT INTO yl_events AS e (event_id, stream_id, stream_position, event_type,
        schema_version, data, metadata, hash, previous_hash)
      VALUES (p_ids[i], p_stream, v_rev, p_types[i], p_versions[i], p_data[i], p_metadata[i], v_hash, v_prev)
      RETURNING e.global_position, e.transaction_id, e.stream_position, e.hash, e.previous_hash,
        e.recorded_at, false;
  END LOOP;

  INSERT INTO yl_streams AS s (stream_id, revision, last_hash) VALUES (p_stream, v_rev, v_hash)
    ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision, last_hash = excluded.last_hash;
END $$;
`;
