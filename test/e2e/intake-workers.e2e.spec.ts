/* The intake as deployed (apps/intake/src/main.ts) with INTAKE_WORKERS=2: both workers share
 * the MLLP port, every connection is answered AA after its event is stored, a worker that dies
 * is replaced, and SIGTERM stops the whole process tree. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiKey } from '@yilian/config';
import { PostgresEventStore } from '@yilian/event-store';
import { MllpClient } from '@yilian/hl7v2';
import { createTestDatabase, freePort, oruR01, SAMPLE_RESIDENT_ID } from '@yilian/testing';

jest.setTimeout(120_000);

const root = join(__dirname, '..', '..');

function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  for (const end = Date.now() + ms; !check();) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('intake with INTAKE_WORKERS=2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'yilian-workers-'));
  let intake: ChildProcess | undefined;
  let store: PostgresEventStore;
  let out = '';
  let mllpPort: number;
  let metricsPort: number;

  beforeAll(async () => {
    const url = await createTestDatabase('intake_workers');
    store = new PostgresEventStore({ connectionString: url, poolSize: 2 });
    await store.migrate();
    mllpPort = await freePort();
    metricsPort = await freePort();
    const institutions = join(dir, 'institutions.json');
    writeFileSync(
      institutions,
      JSON.stringify({
        institutions: [{ code: 'H001', name: '医院一', apiKeySha256: hashApiKey('k'.repeat(32)), mllpPort }],
      }),
    );
    intake = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/intake/src/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        EVENT_STORE_URL: url,
        INTAKE_INSTITUTIONS_FILE: institutions,
        INTAKE_WORKERS: '2',
        INTAKE_HOST: '127.0.0.1',
        INTAKE_HTTP_PORT: String(await freePort()),
        INTAKE_METRICS_PORT: String(metricsPort),
        PATIENT_KEY_SECRET: 'workers-test-secret-at-least-32-bytes!!',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    intake.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    intake.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    await until('two workers listening', () => {
      if (intake!.exitCode !== null) throw new Error(`intake exited ${intake!.exitCode}:\n${out}`);
      return (out.match(/intake listening/g) ?? []).length === 2;
    });
  });

  afterAll(async () => {
    if (intake && intake.exitCode === null && intake.signalCode === null) intake.kill('SIGKILL');
    for (const pid of intake?.pid ? childPids(intake.pid) : []) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every connection AA after the append, two workers sharing the MLLP port', async () => {
    const workers = childPids(intake!.pid!);
    expect(workers).toHaveLength(2);
    const clients = await Promise.all(Array.from({ length: 6 }, () => MllpClient.connect(mllpPort)));
    const acks = await Promise.all(
      clients.map((c, i) =>
        c.send(oruR01({ controlId: `W-${i}`, accession: `W-${i}`, residentId: SAMPLE_RESIDENT_ID })),
      ),
    );
    await Promise.all(clients.map((c) => c.close()));
    acks.forEach((ack, i) => expect(ack).toContain(`MSA|AA|W-${i}`));
    for (let i = 0; i < 6; i++) expect(await store.readStream(`labreport-H001-W-${i}`)).toHaveLength(1);
    // one scrape target: the primary sums what each worker counted
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toContain(
      'yilian_intake_hl7_messages_total{institution="H001",type="ORU^R01",ack="AA"} 6\n',
    );
  });

  it('replaces a worker that dies, and stops every process on SIGTERM', async () => {
    const [victim, survivor] = childPids(intake!.pid!);
    process.kill(victim!, 'SIGKILL');
    await until('a replacement worker', () => {
      const now = childPids(intake!.pid!);
      return now.length === 2 && !now.includes(victim!) && now.includes(survivor!);
    });
    await until('the replacement listening', () => (out.match(/intake listening/g) ?? []).length === 3);
    const client = await MllpClient.connect(mllpPort);
    expect(
      await client.send(
        oruR01({ controlId: 'W-after', accession: 'W-after', residentId: SAMPLE_RESIDENT_ID }),
      ),
    ).toContain('MSA|AA|W-after');
    await client.close();

    const workers = childPids(intake!.pid!);
    const exited = new Promise<number | null>((r) => intake!.once('exit', (code) => r(code)));
    intake!.kill('SIGTERM');
    expect(await exited).toBe(0);
    await until('the workers gone', () => workers.every((pid) => !childAlive(pid)), 10_000);
  });
});

function childAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
