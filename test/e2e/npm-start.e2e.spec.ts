/* `npm start` for real: builds, starts the hub on its own embedded PostgreSQL under a fresh data
 * dir, prints its endpoints and the demo credential; a LIS sends an ORU^R01 to the printed MLLP
 * port and the platform reads it back with the printed key. */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MllpClient } from '@yilian/hl7v2';
import { freePort, oruR01, SAMPLE_RESIDENT_ID } from '@yilian/testing';

jest.setTimeout(240_000);

describe('npm start', () => {
  let hub: ChildProcess | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'yilian-start-'));
  chmodSync(dataDir, 0o755); // as root, PostgreSQL runs as the postgres user and must reach it
  afterAll(async () => {
    // npm start runs npm → sh → node: signal the whole process group (spawned detached).
    const running = () => hub!.exitCode === null && hub!.signalCode === null;
    if (hub?.pid && running()) {
      const exited = new Promise((r) => hub!.once('exit', r));
      process.kill(-hub.pid, 'SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000).unref())]);
      if (running()) process.kill(-hub.pid, 'SIGKILL');
    }
    hub?.stdout?.destroy();
    hub?.stderr?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts the hub on its embedded defaults and answers a lab result end to end', async () => {
    const [http, mllp, pg, metrics] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    hub = spawn('npm', ['start', '--silent'], {
      cwd: join(__dirname, '..', '..'),
      env: {
        ...process.env,
        HUB_DATA_DIR: dataDir,
        HUB_HTTP_PORT: String(http),
        HUB_MLLP_PORT: String(mllp),
        HUB_PG_PORT: String(pg),
        HUB_METRICS_PORT: String(metrics),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    hub.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    hub.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 200_000;
    while (!out.includes('regional-platform') || !/API key: yl_\S+\s+\(kept/.test(out.replace(/\n/g, ' '))) {
      if (hub.exitCode !== null) throw new Error(`npm start exited ${hub.exitCode}:\n${out}`);
      if (Date.now() > deadline) throw new Error(`npm start did not print its banner:\n${out}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(out).toContain(`MLLP 127.0.0.1:${mllp}`);
    const platformKey = /platform client \S+\s+API key: (yl_\S+)/.exec(out)![1]!;
    // first start: the demo alliance, its results and a referral in progress, marked as demo data
    expect(out).toMatch(/DEMO DATA: alliance demo-alliance .*referral DEMO01\.DEMO-REF-001 accepted/);

    // the web console, built by npm start's build, served by the hub itself, every file local
    const consoleUrl = `http://127.0.0.1:${http}/console/`;
    expect(out).toContain(`web console     ${consoleUrl}`);
    const page = await fetch(consoleUrl);
    const html = await page.text();
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThan(0);
    expect(assets.every((a) => a.startsWith('/console/assets/'))).toBe(true);
    for (const asset of assets) expect((await fetch(`http://127.0.0.1:${http}${asset}`)).status).toBe(200);
    const session = await fetch(`http://127.0.0.1:${http}/console/session`, {
      headers: {
        authorization: `Bearer ${/auditor \(the console's audit page[^)]*\)\s+API key: (yl_\S+)/.exec(out)![1]!}`,
      },
    });
    expect(await session.json()).toMatchObject({ role: 'auditor', name: 'auditor' });

    const client = await MllpClient.connect(mllp);
    const ack = await client.send(
      oruR01({ controlId: 'START-1', accession: 'START-1', residentId: SAMPLE_RESIDENT_ID }),
    );
    await client.close();
    expect(ack).toContain('MSA|AA|START-1');

    const auth = { authorization: `Bearer ${platformKey}` };
    const found = (await (
      await fetch(`http://127.0.0.1:${http}/fhir/Patient/_search`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
        body: `identifier=${encodeURIComponent(`urn:oid:2.16.156.10011.1.3|${SAMPLE_RESIDENT_ID}`)}`,
      })
    ).json()) as { entry: { resource: { id: string } }[] };
    const patientKey = found.entry[0]!.resource.id;
    let total = 0;
    for (let i = 0; i < 100 && total === 0; i++) {
      const bundle = (await (
        await fetch(`http://127.0.0.1:${http}/fhir/DiagnosticReport?patient=Patient/${patientKey}`, {
          headers: auth,
        })
      ).json()) as { total: number };
      total = bundle.total;
      if (total === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(total).toBe(1);

    const board = (await (
      await fetch(`http://127.0.0.1:${http}/referrals/board?institution=DEMOH1&box=inbox`, { headers: auth })
    ).json()) as { items: { referralId: string; status: string; sender: string }[] };
    expect(board.items).toEqual([
      expect.objectContaining({ referralId: 'DEMO01.DEMO-REF-001', status: 'accepted', sender: 'DEMO01' }),
    ]);

    // the operator's port: the message above, counted; no patient identifier in the text
    const scraped = await (await fetch(`http://127.0.0.1:${metrics}/metrics`)).text();
    expect(scraped).toMatch(
      /yilian_intake_hl7_messages_total\{institution="[^"]+",type="ORU\^R01",ack="AA"\} 1\n/,
    );
    expect(scraped).not.toContain(SAMPLE_RESIDENT_ID);
    expect(scraped).toContain('# TYPE yilian_intake_process_cpu_seconds_total counter');
    expect(scraped).toMatch(/\nyilian_hub_projector_applied_total [1-9]/);
    expect((await fetch(`http://127.0.0.1:${metrics}/health`)).status).toBe(200);
  });
});
