import { Client } from 'pg';

/** Appends `count` one-event lab-report streams straight in SQL, with the hub's own hash chain
 * (content hash over the envelope of the stored texts, chained to nothing): tens of
 * thousands of events a second, for checks that need a big log. `verify` passing afterwards
 * is what proves the chains are the hub's. Committed `chunk` events at a time: a transaction
 * that writes for seconds holds back what every subscriber of any database in the cluster may
 * read (the log is read below the oldest transaction in flight, pg_snapshot_xmin). */
export async function generateLog(url: string, from: number, count: number, chunk = 5_000): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    for (let first = from; first < from + count; first += chunk) {
      const last = Math.min(first + chunk, from + count) - 1;
      await client.query(
        `WITH g AS (
           SELECT i, gen_random_uuid()::text AS id, 'labreport-M-' || i AS stream,
             '{"n":' || i || ',"padding":"' || repeat('x', 400) || '"}' AS data,
             '{"source":{"institution":"H001","messageId":"m-' || i || '","protocol":"hub"},"correlationId":"c-' || i
               || '","occurredAt":"2026-11-23T08:00:00.000Z"}' AS metadata
           FROM generate_series($1::int, $2::int) AS i),
         h AS (
           SELECT g.*, encode(sha256(convert_to(encode(sha256(convert_to(
             '{"id":"' || id || '","type":"SampleRecorded","schemaVersion":1,"stream":"' || stream
               || '","data":' || data || ',"metadata":' || metadata || '}', 'UTF8')), 'hex'), 'UTF8')), 'hex') AS hash
           FROM g),
         events AS (
           INSERT INTO yl_events (event_id, stream_id, stream_position, event_type, schema_version, data, metadata, hash)
           SELECT id::uuid, stream, 0, 'SampleRecorded', 1, data, metadata, hash FROM h ORDER BY i)
         INSERT INTO yl_streams (stream_id, revision, last_hash) SELECT stream, 0, hash FROM h`,
        [first, last],
      );
    }
  } finally {
    await client.end();
  }
}
