import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { chainHash, PostgresEventStore, storedContentHash } from '@yilian/event-store';
import { sampleEvent, uniqueStream } from '../../../../libs/event-store/src/testing/sample-events';

const BIN = join(__dirname, '..', '..', 'bin', 'yilian.js');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `yilian …` as a child process, as an auditor would. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface SeededEvent {
  readonly stream: string;
  readonly revision: bigint;
  readonly position: string;
  readonly eventId: string;
}

/** A store with `singles` one-event lab-report streams and one three-event referral stream,
 * appended through the hub's own store (its hash chain). */
export async function seedStore(
  url: string,
  singles = 5,
): Promise<{ singles: SeededEvent[]; referral: SeededEvent[] }> {
  const store = new PostgresEventStore({ connectionString: url, poolSize: 2 });
  await store.migrate();
  try {
    const singleEvents: SeededEvent[] = [];
    for (let i = 0; i < singles; i++) {
      const stream = uniqueStream('labreport');
      const [r] = (await store.append(stream, [sampleEvent(`lab-${i}`)], 'no_stream')).events;
      singleEvents.push(seeded(stream, r!));
    }
    const referral = uniqueStream('referral');
    const result = await store.append(
      referral,
      [sampleEvent('requested'), sampleEvent('accepted'), sampleEvent('arrived')],
      'no_stream',
    );
    return { singles: singleEvents, referral: result.events.map((r) => seeded(referral, r)) };
  } finally {
    await store.close();
  }
}

function seeded(
  stream: string,
  r: { id: string; streamPosition: bigint; position: { commit: bigint; prepare: bigint } },
): SeededEvent {
  return {
    stream,
    revision: r.streamPosition,
    position: `${r.position.commit}/${r.position.prepare}`,
    eventId: r.id,
  };
}

/** Runs SQL as a database superuser would, the append-only trigger disabled. */
export async function behindTheHubsBack(url: string, work: (client: Client) => Promise<void>): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('ALTER TABLE yl_events DISABLE TRIGGER yl_events_no_update');
    await work(client);
    await client.query('ALTER TABLE yl_events ENABLE TRIGGER yl_events_no_update');
  } finally {
    await client.end();
  }
}

/** The superuser's careful forgery: new data for one event, and every hash after it in its
 * stream recomputed, the stream head too — every chain in the database is consistent again. */
export async function rewriteWithConsistentChain(
  url: string,
  target: SeededEvent,
  data: string,
): Promise<void> {
  await behindTheHubsBack(url, async (client) => {
    await client.query('UPDATE yl_events SET data = $1 WHERE event_id = $2', [data, target.eventId]);
    const { rows } = await client.query<{
      event_id: string;
      stream_id: string;
      stream_position: string;
      event_type: string;
      schema_version: number;
      data: string;
      metadata: string;
      previous_hash: string | null;
    }>(
      `SELECT event_id, stream_id, stream_position, event_type, schema_version, data, metadata, previous_hash
        FROM yl_events WHERE stream_id = $1 ORDER BY stream_position`,
      [target.stream],
    );
    let previous: string | null = null;
    for (const r of rows) {
      const content = storedContentHash({
        eventId: r.event_id,
        type: r.event_type,
        schemaVersion: r.schema_version,
        stream: r.stream_id,
        data: r.data,
        metadata: r.metadata,
      });
      const hash = chainHash(previous, content);
      await client.query('UPDATE yl_events SET hash = $1, previous_hash = $2 WHERE event_id = $3', [
        hash,
        previous,
        r.event_id,
      ]);
      previous = hash;
    }
    await client.query('UPDATE yl_streams SET last_hash = $1 WHERE stream_id = $2', [
      previous,
      target.stream,
    ]);
  });
}
