/* The fault matrix in its short form (run-faults.ts --short, its own process): under HL7 v2 load
 * over MLLP, kill -9 of an intake, the relay, a projector; Kafka killed and restarted on its
 * log; PostgreSQL restarted; PostgreSQL's disk made slow (every fsync 150 ms longer). After each, every acknowledged message is stored once and
 * projected once; at the end the read models equal a rebuild from the log. The full matrix:
 * `npm run test:faults`. */
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { spawnTiedToUs } from '../../libs/testing/src/child-process';
import { FAULTS, type FaultRow } from './fault-matrix';

// Alone it takes ≈130 s here; beside the other suites on two cores it took over 300 s in CI, and
// once over 840 s (a busy VM: each restart ≈3× slower). Its own deadline comes before jest's, so
// that a stuck fault shows the table so far and the roles' last lines, not a bare timeout.
const DEADLINE_MS = 1_500_000;
jest.setTimeout(DEADLINE_MS + 60_000);

test('every acknowledged message stored and projected exactly once through each fault', async () => {
  const child = spawnTiedToUs(
    'faults',
    process.execPath,
    ['-r', '@swc-node/register', join(__dirname, 'run-faults.ts'), '--short'],
    {
      cwd: join(__dirname, '..', '..'),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/' },
    },
  );
  const out: string[] = [];
  for (const stream of [child.stdout!, child.stderr!])
    createInterface({ input: stream }).on('line', (l) => out.push(l));
  const exited = new Promise<number | null>((ok) => child.once('exit', ok));
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    exited,
    new Promise<'deadline'>((ok) => (timer = setTimeout(() => ok('deadline'), DEADLINE_MS))),
  ]).finally(() => clearTimeout(timer));
  if (code === 'deadline') {
    child.kill('SIGTERM'); // run-faults stops its cluster on SIGTERM
    await Promise.race([exited, new Promise((ok) => setTimeout(ok, 30_000))]);
    throw new Error(`run-faults did not finish in ${DEADLINE_MS / 1000} s; so far:\n${out.join('\n')}`);
  }
  const last = out.find((l) => l.startsWith('FAULTS_RESULT '));
  if (!last) throw new Error(`run-faults gave no result (exit ${code}):\n${out.join('\n')}`);
  const result = JSON.parse(last.slice('FAULTS_RESULT '.length)) as {
    rows: FaultRow[];
    rebuildIdentical: boolean;
  };
  console.log(out.filter((l) => !l.startsWith('FAULTS_RESULT')).join('\n'));
  expect(result.rows.map((r) => r.fault)).toEqual(FAULTS.map((f) => f.name));
  for (const r of result.rows) {
    expect({ fault: r.fault, lost: r.lost, duplicates: r.duplicates }).toEqual({
      fault: r.fault,
      lost: 0,
      duplicates: 0,
    });
    expect(r.acknowledged).toBeGreaterThan(0);
    expect([r.stored, r.projected]).toEqual([r.acknowledged, r.acknowledged]);
  }
  expect(result.rebuildIdentical).toBe(true);
  expect(code).toBe(0);
});
