/* The fault matrix in its short form (run-faults.ts --short, its own process): under HL7 v2 load
 * over MLLP, kill -9 of an intake, the relay, a projector; Kafka killed and restarted on its
 * log; PostgreSQL restarted; PostgreSQL's disk made slow (every fsync 150 ms longer). After each, every acknowledged message is stored once and
 * projected once; at the end the read models equal a rebuild from the log. The full matrix:
 * `npm run test:faults`. */
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { spawnTiedToUs } from '../../libs/testing/src/child-process';
import { FAULTS, type FaultRow } from './fault-matrix';

jest.setTimeout(300_000);

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
  const code = await new Promise<number | null>((ok) => child.once('exit', ok));
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
