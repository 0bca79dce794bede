/* `npm run start:cluster` for real (from source here, so no build is needed): PostgreSQL, a
 * fresh Kafka broker that creates no topic by itself, two intakes, the relay, two projectors
 * in one group, platform-api — each an OS process. An ORU^R01 sent over MLLP to the second
 * intake is read back through platform-api with a FHIR client; SIGTERM stops every process. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Client from 'fhir-kit-client';
import type { fhir4 } from '@yilian/contracts';
import { MllpClient } from '@yilian/hl7v2';
import { PatientKeyer } from '@yilian/patients';
import { oruR01, SAMPLE_RESIDENT_ID } from '@yilian/testing';
import type { ClusterSecrets } from '../../scripts/cluster/cluster';
import { Pool } from 'pg';
import { eventually } from './hub-harness';

/** The event store's URL from the banner, with the password (postgres: the embedded server's). */
function storeUrl(out: string): string {
  return /event store (\S+)/.exec(out)![1]!.replace(':***@', ':postgres@');
}

jest.setTimeout(180_000);

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm run start:cluster', () => {
  const dir = mkdtempSync(join(tmpdir(), 'yilian-cluster-'));
  let script: ChildProcess | undefined;
  let pids: number[] = [];
  afterAll(async () => {
    if (script && script.exitCode === null) {
      const exited = new Promise((ok) => script!.once('exit', ok));
      script.kill('SIGKILL'); // its children die with it (their watchdogs see the pipe close)
      await exited;
    }
    await eventually(
      async () => pids.filter(alive).length,
      (n) => n === 0,
      30_000,
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts every role, serves a lab result end to end, and stops everything on SIGTERM', async () => {
    script = spawn(
      process.execPath,
      ['-r', '@swc-node/register', 'scripts/cluster/start-cluster.ts', '--dir', dir, '--from-source'],
      { cwd: join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    script.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    script.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    await eventually(
      async () => {
        if (script!.exitCode !== null) throw new Error(`start:cluster exited:\n${out}`);
        return out.includes('(kept in');
      },
      (ready) => ready,
      150_000,
    );
    pids = [...out.matchAll(/(?:intake(?:-2)?|relay|projector-\d|platform-api) (\d+)/g)].map((m) =>
      Number(m[1]),
    );
    expect(pids).toHaveLength(6);
    const mllp = Number(/intake-2 .* MLLP H001:(\d+)/.exec(out)![1]);
    const mllpFirst = Number(/intake {5,}FHIR .* MLLP H001:(\d+)/.exec(out)![1]);
    const platform = /platform-api (http:\/\/127\.0\.0\.1:\d+\/fhir)/.exec(out)![1]!;
    const metrics = Object.fromEntries(
      [...out.matchAll(/(projector-\d|relay) :(\d+)/g)].map((m) => [m[1]!, Number(m[2])]),
    );
    const secrets = JSON.parse(readFileSync(join(dir, 'cluster-secrets.json'), 'utf8')) as ClusterSecrets;

    const sender = await MllpClient.connect(mllp);
    const ack = await sender.send(
      oruR01({ controlId: 'CLUSTER-1', accession: 'CLUSTER-1', residentId: SAMPLE_RESIDENT_ID }),
    );
    await sender.close();
    expect(ack).toContain('MSA|AA|CLUSTER-1');

    // two intakes, one store: the same message sent to both at once (a sender failing over)
    // is recorded once — the idempotency and expected-revision rules hold across processes
    const twice = oruR01({ controlId: 'CLUSTER-2', accession: 'CLUSTER-2', residentId: SAMPLE_RESIDENT_ID });
    const both = await Promise.all(
      [mllp, mllpFirst].map(async (port) => {
        const c = await MllpClient.connect(port);
        try {
          return await c.send(twice);
        } finally {
          await c.close();
        }
      }),
    );
    expect(both.every((a) => a.includes('MSA|AA|CLUSTER-2'))).toBe(true);

    const fhir = new Client({
      baseUrl: platform,
      customHeaders: { Authorization: `Bearer ${secrets.platformClient.apiKey}` },
    });
    const patientKey = new PatientKeyer(secrets.patientKeySecret).forResidentId(SAMPLE_RESIDENT_ID);
    const bundle = await eventually(
      async () =>
        (await fhir.search({
          resourceType: 'DiagnosticReport',
          searchParams: { patient: `Patient/${patientKey}` },
        })) as fhir4.Bundle,
      (b) => b.total === 2,
      30_000,
    );
    expect(bundle.total).toBe(2);
    expect(bundle.entry!.map((e) => e.resource!.resourceType)).toEqual([
      'DiagnosticReport',
      'DiagnosticReport',
    ]);
    const store = new Pool({ connectionString: storeUrl(out), max: 1 });
    try {
      const { rows } = await store.query<{ n: string }>(
        `SELECT count(*) AS n FROM yl_events WHERE stream_id LIKE '%-CLUSTER-2'`,
      );
      expect(Number(rows[0]!.n)).toBe(1);
    } finally {
      await store.end();
    }

    // the relay made the topics (the broker creates none): the two projectors share them all
    const health = await Promise.all(
      ['projector-1', 'projector-2'].map(
        async (p) =>
          (await (await fetch(`http://127.0.0.1:${metrics[p]}/health`)).json()) as { partitions: number },
      ),
    );
    expect(health.every((h) => h.partitions > 0)).toBe(true);
    expect(health[0]!.partitions + health[1]!.partitions).toBe(5 * 6); // five topics × six partitions
    expect(out).not.toContain(SAMPLE_RESIDENT_ID);

    const exited = new Promise<number | null>((ok) => script!.once('exit', ok));
    script.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('stopped');
    expect(pids.filter(alive)).toEqual([]);
  });
});
