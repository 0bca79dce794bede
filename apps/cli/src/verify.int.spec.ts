import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { LogBreak, StoreVerification } from '@yilian/event-store';
import { PostgresEventStore } from '@yilian/event-store';
import { createTestDatabase } from '@yilian/testing';
import {
  behindTheHubsBack,
  rewriteWithConsistentChain,
  runCli,
  type SeededEvent,
  seedStore,
} from './testing/cli-harness';

type Report = StoreVerification & { ok: boolean };

async function verifyJson(url: string, ...extra: string[]): Promise<{ code: number | null; report: Report }> {
  const run = await runCli(['verify', '--store', url, '--json', ...extra]);
  return { code: run.code, report: JSON.parse(run.stdout) as Report };
}

const named = (b: LogBreak) => ({
  kind: b.kind,
  stream: b.stream,
  revision: b.revision,
  position: b.position,
});
const at = (e: SeededEvent) => ({ stream: e.stream, revision: e.revision.toString(), position: e.position });

let keys: string;
beforeAll(async () => {
  keys = await mkdtemp(join(tmpdir(), 'yilian-keys-'));
  const made = await runCli(['keygen', '--out', keys]);
  expect(made.code).toBe(0);
});
const publicKey = () => join(keys, 'checkpoint-key.pub.pem');

async function signCheckpoints(url: string, maxEvents = 3): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'yilian-checkpoints-'));
  const run = await runCli([
    'checkpoint',
    '--store',
    url,
    '--dir',
    dir,
    '--key',
    join(keys, 'checkpoint-key.pem'),
    '--max-events',
    String(maxEvents),
    '--once',
  ]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return dir;
}

describe('yilian verify', () => {
  it('passes a clean store with its counts, exit 0', async () => {
    const url = await createTestDatabase('cli_clean');
    await seedStore(url, 4);
    const run = await runCli(['verify', '--store', url]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^7 events in 5 streams verified up to \d+\/\d+; 0 break\(s\)$/m);
    const { code, report } = await verifyJson(url);
    expect(code).toBe(0);
    expect(report).toMatchObject({ ok: true, events: 7, streams: 5, breakCount: 0, unusedPositions: 0 });
    expect(report.logHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses an empty store and a database that is not a Yilian store, exit 2', async () => {
    const empty = await createTestDatabase('cli_empty');
    const store = new PostgresEventStore({ connectionString: empty, poolSize: 1 });
    await store.migrate();
    await store.close();
    const none = await runCli(['verify', '--store', empty]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/holds no events and no streams: nothing to verify/);
    expect(none.stdout).not.toMatch(/0 break/);

    const foreign = await createTestDatabase('cli_foreign');
    const client = new Client({ connectionString: foreign });
    await client.connect();
    await client.query('CREATE TABLE orders (id int)');
    await client.end();
    const wrong = await runCli(['verify', '--store', foreign, '--json']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(
      /not a Yilian event store: table yl_events and table yl_streams missing in database "t_cli_foreign_/,
    );
    expect(JSON.parse(wrong.stdout)).toMatchObject({ ok: false });
  });

  it('names the one event whose stored byte a superuser altered, and no other; exit 1', async () => {
    const url = await createTestDatabase('cli_altered');
    const { singles } = await seedStore(url);
    const target = singles[2]!;
    await behindTheHubsBack(url, async (c) => {
      // one byte of the label: lab-2 → lab-X
      await c.query(`UPDATE yl_events SET data = replace(data, '"lab-2"', '"lab-X"') WHERE event_id = $1`, [
        target.eventId,
      ]);
    });
    const { code, report } = await verifyJson(url);
    expect(code).toBe(1);
    expect(report.breaks.map(named)).toEqual([{ kind: 'altered', ...at(target) }]);
    const human = await runCli(['verify', '--store', url]);
    expect(human.stdout).toContain(
      `BROKEN altered   ${target.stream} revision 0 at ${target.position} (${target.eventId}): content does not match its hash (altered)`,
    );
    expect(human.stdout).not.toContain('lab-X');
  });

  it('catches a byte JSON.parse would not see (whitespace added to the stored text)', async () => {
    const url = await createTestDatabase('cli_whitespace');
    const { singles } = await seedStore(url, 2);
    await behindTheHubsBack(url, async (c) => {
      await c.query(`UPDATE yl_events SET data = data || ' ' WHERE event_id = $1`, [singles[1]!.eventId]);
    });
    const { code, report } = await verifyJson(url);
    expect(code).toBe(1);
    expect(report.breaks.map(named)).toEqual([{ kind: 'altered', ...at(singles[1]!) }]);
  });

  it('names a rewrite with a recomputed consistent chain from the signed checkpoints', async () => {
    const url = await createTestDatabase('cli_rewrite');
    const { referral } = await seedStore(url, 4);
    const dir = await signCheckpoints(url);
    const target = referral[1]!;
    await rewriteWithConsistentChain(url, target, JSON.stringify({ label: 'rejected' }));

    // every chain in the database holds again: without checkpoints nothing shows
    const blind = await verifyJson(url);
    expect(blind.code).toBe(0);
    expect(blind.report.breakCount).toBe(0);

    const { code, report } = await verifyJson(url, '--checkpoints', dir, '--public-key', publicKey());
    expect(code).toBe(1);
    expect(report.breaks.map(named)).toEqual([{ kind: 'rewritten', ...at(target) }]);
    expect(report.breaks[0]!.reason).toBe(
      `content differs from checkpoint #${report.breaks[0]!.checkpoint} (rewritten)`,
    );
    expect(report.checkpoints).toMatchObject({ checkpoints: 3, coveredEvents: 7, lastSequence: 3 });
    expect(report.checkpoints!.firstDivergent).not.toBeNull();
  });

  it('passes a clean store against its checkpoints, and counts the events after the last', async () => {
    const url = await createTestDatabase('cli_checkpointed');
    await seedStore(url, 2);
    const dir = await signCheckpoints(url, 2);
    await seedStore(url, 1); // four more events, not yet checkpointed
    const run = await runCli(['verify', '--store', url, '--checkpoints', dir, '--public-key', publicKey()]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /checkpoints: 3 signed checkpoint\(s\) up to #3 at \d+\/\d+; 5 events covered, 4 after the last/,
    );
  });

  it('names a deleted event: in the middle of a stream, and a one-event stream whose row is kept', async () => {
    const url = await createTestDatabase('cli_delete');
    const { singles, referral } = await seedStore(url, 3);
    await behindTheHubsBack(url, async (c) => {
      await c.query('DELETE FROM yl_events WHERE event_id = ANY($1::uuid[])', [
        [referral[1]!.eventId, singles[0]!.eventId],
      ]);
    });
    const { code, report } = await verifyJson(url);
    expect(code).toBe(1);
    expect(report.breaks.map((b) => ({ kind: b.kind, stream: b.stream, revision: b.revision }))).toEqual([
      { kind: 'link', stream: referral[1]!.stream, revision: '1' },
      { kind: 'head', stream: singles[0]!.stream, revision: '0' },
    ]);
    expect(report.breaks[0]!.reason).toMatch(
      /^revision 1 missing \(deleted\): revision 2 at \d+\/\d+ follows revision 0$/,
    );
    expect(report.breaks[1]!.reason).toBe(
      'the stream row says revision 0, but the stream has no events (deleted)',
    );
  });

  it('names an event deleted with its stream row, from the checkpoints', async () => {
    const url = await createTestDatabase('cli_delete_row');
    const { singles, referral } = await seedStore(url, 3);
    const dir = await signCheckpoints(url);
    const gone = singles[1]!;
    const last = referral[2]!;
    await behindTheHubsBack(url, async (c) => {
      await c.query('DELETE FROM yl_events WHERE event_id = $1', [gone.eventId]);
      await c.query('DELETE FROM yl_streams WHERE stream_id = $1', [gone.stream]);
    });
    // the database alone no longer knows the stream existed; only a position is unused
    const blind = await verifyJson(url);
    expect(blind.code).toBe(0);
    expect(blind.report.unusedPositions).toBe(1);

    const { code, report } = await verifyJson(url, '--checkpoints', dir, '--public-key', publicKey());
    expect(code).toBe(1);
    expect(report.breaks.map(named)).toEqual([{ kind: 'deleted', ...at(gone) }]);

    // the last event of a longer stream, and its row: the stream is left without a head
    await behindTheHubsBack(url, async (c) => {
      await c.query('DELETE FROM yl_events WHERE event_id = $1', [last.eventId]);
      await c.query('DELETE FROM yl_streams WHERE stream_id = $1', [last.stream]);
    });
    const again = await verifyJson(url, '--checkpoints', dir, '--public-key', publicKey());
    expect(again.code).toBe(1);
    expect(again.report.breaks.map(named)).toEqual([
      { kind: 'deleted', ...at(gone) },
      { kind: 'deleted', ...at(last) },
      { kind: 'head', stream: last.stream, revision: '1', position: referral[1]!.position },
    ]);
  });

  it('refuses checkpoints signed by another key or altered, and needs the public key', async () => {
    const url = await createTestDatabase('cli_bad_checkpoint');
    await seedStore(url, 2);
    const dir = await signCheckpoints(url, 10);
    const file = join(dir, 'checkpoint-0000000001.json');
    const checkpoint = JSON.parse(await readFile(file, 'utf8')) as { count: number };
    await writeFile(file, JSON.stringify({ ...checkpoint, count: checkpoint.count + 1 }));
    const { code, report } = await verifyJson(url, '--checkpoints', dir, '--public-key', publicKey());
    expect(code).toBe(1);
    expect(report.breaks.map((b) => [b.kind, b.reason])).toEqual([
      [
        'checkpoint',
        'checkpoint #1 signature does not verify (the checkpoint was altered); the checkpoints after it are not used',
      ],
    ]);
    const noKey = await runCli(['verify', '--store', url, '--checkpoints', dir], {
      YILIAN_CHECKPOINT_PUBLIC_KEY_FILE: '',
    });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/checking checkpoints needs their public key/);
  });

  it('the checkpointer will not continue a directory signed with another key', async () => {
    const url = await createTestDatabase('cli_other_key');
    await seedStore(url, 1);
    const dir = await signCheckpoints(url);
    const other = await mkdtemp(join(tmpdir(), 'yilian-keys-'));
    expect((await runCli(['keygen', '--out', other])).code).toBe(0);
    const run = await runCli(['checkpoint', '--store', url, '--dir', dir, '--once'], {
      YILIAN_CHECKPOINT_KEY_FILE: join(other, 'checkpoint-key.pem'),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /the last checkpoint in .* \(#2\) was signed by key [0-9a-f]{16}, not by this key [0-9a-f]{16}: a new key starts a new directory/,
    );
  });
});
