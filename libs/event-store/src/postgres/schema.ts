/**
 * The PostgreSQL event store schema. Global order is (transaction_id, global_position):
 * readers only read rows whose transaction id is below the oldest transaction still in flight
 * (pg_snapshot_xmin), so an event committed late by a slower transaction is never skipped —
 * no timeouts involved. Appends go through one function call: one round trip per append
 * (yl_append), or one round trip and one commit for many appends (yl_append_batch).
 */
export const EVENT_STORE_SCHEMA_VERSION = 4;

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
  -- The JSON text exactly as recorded (the content hash is over it), as text: the hub writes
  -- JSON.stringify output, so PostgreSQL's JSON validation (json) or conversion (jsonb) would
  -- only cost — ≈0.08 ms of CPU per 14 KB lab report for json. Read it with data::json.
  data            text NOT NULL,
  metadata        text NOT NULL,
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

-- Schema 3 took the texts as json[]: those overloads go.
DROP FUNCTION IF EXISTS yl_append(text, bigint, uuid[], text[], int[], json[], json[], text[]);
DROP FUNCTION IF EXISTS yl_append_batch(text[], bigint[], int[], uuid[], text[], int[], json[], json[], text[]);

-- p_expected: -3 any, -2 stream must exist, -1 stream must not exist, n >= 0 exact revision.
CREATE OR REPLACE FUNCTION yl_append(
  p_stream text, p_expected bigint, p_ids uuid[], p_types text[], p_versions int[],
  p_data text[], p_metadata text[], p_content_hashes text[]
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

-- Group commit: many appends in one transaction, applied in order, each with exactly the
-- semantics of yl_append (a later append to the same stream sees the earlier one). Append a
-- has p_counts[a] events, the next ones of the flattened event arrays. A refused append does
-- not abort the others: instead of raising, it answers one row with out_error 'YL001' (wrong
-- expected revision; out_detail: the actual revision, -1 when the stream does not exist) or
-- 'YL002' (idempotency conflict; out_detail: the message). No EXCEPTION block (each would be a
-- subtransaction). Anything else that goes wrong (a concurrent writer's race: 23505, a
-- deadlock) aborts the whole call; the caller then runs its appends one by one.
--
-- The usual batch — no event id recorded yet, none twice — takes a set-based path: one
-- statement locks and reads the streams, the checks and hash chains are computed in memory,
-- one statement writes every event and stream (two statements per batch instead of four or
-- five per append; each costs, on top of its work). Otherwise each append is checked and
-- written in turn, as yl_append does.
CREATE OR REPLACE FUNCTION yl_append_batch(
  p_streams text[], p_expected bigint[], p_counts int[], p_ids uuid[], p_types text[],
  p_versions int[], p_data text[], p_metadata text[], p_content_hashes text[]
) RETURNS TABLE (
  out_append int, out_error text, out_detail text,
  out_global_position bigint, out_transaction_id xid8, out_stream_position bigint,
  out_hash text, out_previous_hash text, out_recorded_at timestamptz, out_replayed boolean
) LANGUAGE plpgsql AS $$
DECLARE
  v_appends int := coalesce(array_length(p_streams, 1), 0);
  v_total int := coalesce(array_length(p_ids, 1), 0);
  v_first int := 1;
  v_last int;
  v_n int;
  v_ids uuid[];
  v_stream text;
  v_expected bigint;
  v_found int;
  v_rev bigint;
  v_hash text;
  v_prev text;
  -- set-based path: the batch's streams as they stand (k: index), the events to insert (j)
  v_known text[];
  v_revs bigint[];
  v_hashes text[];
  v_dirty boolean[];
  v_recorded bigint;
  v_distinct int;
  v_sum bigint;
  v_bad_count boolean;
  v_event int[] := array_fill(0, ARRAY[v_total]);
  v_event_append int[] := array_fill(0, ARRAY[v_total]);
  v_event_position bigint[] := array_fill(0::bigint, ARRAY[v_total]);
  v_event_hash text[] := array_fill(NULL::text, ARRAY[v_total]);
  v_event_previous text[] := array_fill(NULL::text, ARRAY[v_total]);
  j int := 0;
  k int;
  a int;
  i int;
BEGIN
  -- One statement: lock the batch's existing streams at once, in one order — two batches
  -- sharing streams then wait for each other instead of deadlocking — and read them; whether
  -- an event id is recorded already or comes twice; the counts, checked below.
  SELECT coalesce(array_agg(l.stream_id), '{}'), coalesce(array_agg(l.revision), '{}'),
      coalesce(array_agg(l.last_hash), '{}'),
      -- count, not EXISTS: planned for the first row, EXISTS may prefer a sequential scan
      (SELECT count(*) FROM yl_events e WHERE e.event_id = ANY (p_ids)),
      (SELECT count(DISTINCT x) FROM unnest(p_ids) AS x),
      (SELECT sum(c) FROM unnest(p_counts) AS c), (SELECT bool_or(c IS NULL OR c < 1) FROM unnest(p_counts) AS c)
    INTO v_known, v_revs, v_hashes, v_recorded, v_distinct, v_sum, v_bad_count
    FROM (SELECT s.stream_id, s.revision, s.last_hash FROM yl_streams s
          WHERE s.stream_id = ANY (p_streams) ORDER BY s.stream_id FOR UPDATE) AS l;
  IF coalesce(array_length(p_expected, 1), 0) <> v_appends OR coalesce(array_length(p_counts, 1), 0) <> v_appends
     OR coalesce(v_sum, 0) <> v_total OR coalesce(v_bad_count, false)
     OR coalesce(array_length(p_types, 1), 0) <> v_total OR coalesce(array_length(p_versions, 1), 0) <> v_total
     OR coalesce(array_length(p_data, 1), 0) <> v_total OR coalesce(array_length(p_metadata, 1), 0) <> v_total
     OR coalesce(array_length(p_content_hashes, 1), 0) <> v_total THEN
    RAISE EXCEPTION 'yl_append_batch: array lengths do not match' USING ERRCODE = '22023';
  END IF;

  IF v_recorded = 0 AND v_distinct = v_total THEN
    v_dirty := array_fill(false, ARRAY[coalesce(array_length(v_known, 1), 0)]);
    FOR a IN 1 .. v_appends LOOP
      v_stream := p_streams[a];
      v_expected := p_expected[a];
      v_last := v_first + p_counts[a] - 1;
      k := array_position(v_known, v_stream);
      IF k IS NULL THEN
        v_rev := -1;
        v_hash := NULL;
      ELSE
        v_rev := v_revs[k];
        v_hash := v_hashes[k];
      END IF;
      IF (v_expected = -1 AND v_rev <> -1) OR (v_expected = -2 AND v_rev = -1)
         OR (v_expected >= 0 AND v_expected <> v_rev) THEN
        RETURN QUERY SELECT a, 'YL001'::text, v_rev::text,
          NULL::bigint, NULL::xid8, NULL::bigint, NULL::text, NULL::text, NULL::timestamptz, NULL::boolean;
      ELSE
        FOR i IN v_first .. v_last LOOP
          v_rev := v_rev + 1;
          v_prev := v_hash;
          v_hash := encode(sha256(convert_to(coalesce(v_prev, '') || p_content_hashes[i], 'UTF8')), 'hex');
          j := j + 1;
          v_event[j] := i;
          v_event_append[j] := a;
          v_event_position[j] := v_rev;
          v_event_hash[j] := v_hash;
          v_event_previous[j] := v_prev;
        END LOOP;
        IF k IS NULL THEN
          v_known := v_known || v_stream;
          v_revs := v_revs || v_rev;
          v_hashes := v_hashes || v_hash;
          v_dirty := v_dirty || true;
        ELSE
          v_revs[k] := v_rev;
          v_hashes[k] := v_hash;
          v_dirty[k] := true;
        END IF;
      END IF;
      v_first := v_last + 1;
    END LOOP;
    IF j = 0 THEN
      RETURN;
    END IF;

    -- One statement writes the events and the streams. Each stream's events in order; the
    -- streams in one order too, so that two batches creating the same new streams wait for
    -- each other instead of deadlocking.
    RETURN QUERY WITH inserted AS (
      INSERT INTO yl_events AS e (event_id, stream_id, stream_position, event_type, schema_version,
          data, metadata, hash, previous_hash)
        SELECT p_ids[r.i], p_streams[r.a], r.pos, p_types[r.i], p_versions[r.i], p_data[r.i],
            p_metadata[r.i], r.h, r.ph
          FROM (SELECT * FROM unnest(v_event[1:j], v_event_append[1:j], v_event_position[1:j],
              v_event_hash[1:j], v_event_previous[1:j]) AS u(i, a, pos, h, ph)
            ORDER BY p_streams[u.a], u.pos) AS r -- sorts the indexes, not the documents
        RETURNING e.global_position, e.transaction_id, e.event_id, e.stream_position, e.hash,
          e.previous_hash, e.recorded_at
    ), streams AS (
      INSERT INTO yl_streams AS s (stream_id, revision, last_hash)
        SELECT u.stream_id, u.revision, u.last_hash
          FROM unnest(v_known, v_revs, v_hashes, v_dirty) AS u(stream_id, revision, last_hash, dirty)
          WHERE u.dirty ORDER BY u.stream_id
        ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision, last_hash = excluded.last_hash
    )
    SELECT m.a, NULL::text, NULL::text, ins.global_position, ins.transaction_id, ins.stream_position,
        ins.hash, ins.previous_hash, ins.recorded_at, false
      FROM inserted ins JOIN unnest(v_event[1:j], v_event_append[1:j]) AS m(i, a) ON p_ids[m.i] = ins.event_id
      ORDER BY m.a, ins.stream_position;
    RETURN;
  END IF;

  -- Some event id is recorded already, or comes twice: each append in turn, as yl_append.
  FOR a IN 1 .. v_appends LOOP
    v_stream := p_streams[a];
    v_expected := p_expected[a];
    v_n := p_counts[a];
    v_last := v_first + v_n - 1;
    v_ids := p_ids[v_first : v_last];

    SELECT count(*) INTO v_found FROM yl_events e WHERE e.event_id = ANY (v_ids);
    IF v_found > 0 THEN
      IF v_found = v_n AND NOT EXISTS (
        SELECT 1 FROM yl_events e WHERE e.event_id = ANY (v_ids) AND e.stream_id <> v_stream
      ) THEN
        RETURN QUERY SELECT a, NULL::text, NULL::text, e.global_position, e.transaction_id,
            e.stream_position, e.hash, e.previous_hash, e.recorded_at, true
          FROM yl_events e WHERE e.event_id = ANY (v_ids) ORDER BY e.stream_position;
      ELSE
        RETURN QUERY SELECT a, 'YL002'::text,
          format('%s of %s event ids already recorded, not all of them in stream %s', v_found, v_n, v_stream),
          NULL::bigint, NULL::xid8, NULL::bigint, NULL::text, NULL::text, NULL::timestamptz, NULL::boolean;
      END IF;
      v_first := v_last + 1;
      CONTINUE;
    END IF;

    SELECT s.revision, s.last_hash INTO v_rev, v_hash FROM yl_streams s WHERE s.stream_id = v_stream FOR UPDATE;
    IF NOT FOUND THEN
      v_rev := -1;
      v_hash := NULL;
    END IF;
    IF (v_expected = -1 AND v_rev <> -1) OR (v_expected = -2 AND v_rev = -1)
       OR (v_expected >= 0 AND v_expected <> v_rev) THEN
      RETURN QUERY SELECT a, 'YL001'::text, v_rev::text,
        NULL::bigint, NULL::xid8, NULL::bigint, NULL::text, NULL::text, NULL::timestamptz, NULL::boolean;
      v_first := v_last + 1;
      CONTINUE;
    END IF;

    FOR i IN v_first .. v_last LOOP
      v_rev := v_rev + 1;
      v_prev := v_hash;
      v_hash := encode(sha256(convert_to(coalesce(v_prev, '') || p_content_hashes[i], 'UTF8')), 'hex');
      RETURN QUERY INSERT INTO yl_events AS e (event_id, stream_id, stream_position, event_type,
          schema_version, data, metadata, hash, previous_hash)
        VALUES (p_ids[i], v_stream, v_rev, p_types[i], p_versions[i], p_data[i], p_metadata[i], v_hash, v_prev)
        RETURNING a, NULL::text, NULL::text, e.global_position, e.transaction_id, e.stream_position,
          e.hash, e.previous_hash, e.recorded_at, false;
    END LOOP;

    INSERT INTO yl_streams AS s (stream_id, revision, last_hash) VALUES (v_stream, v_rev, v_hash)
      ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision, last_hash = excluded.last_hash;
    v_first := v_last + 1;
  END LOOP;
END $$;
`;
