/* `npm run bench:e2e`: the distributed hub (scripts/cluster: two intakes, relay, Kafka, two
 * projectors, platform-api, one PostgreSQL) under sustained HL7 v2 load over MLLP, in one run:
 * the intake's acknowledged messages/s beside the projectors' applied reports/s on the same
 * store, how far the read models fall behind (and the projectors' lag metric), and ingest →
 * queryable latency: probes sent during the load, each timed from its AA until platform-api
 * finds it (FHIR search by patient).
 *
 *   BENCH_RATE=1000 BENCH_SECONDS=60 BENCH_SENDERS=32 npm run bench:e2e */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { MllpClient } from '@yilian/hl7v2';
import { PatientKeyer } from '@yilian/patients';
import { oruR01 } from '@yilian/testing';
import { Cluster } from '../scripts/cluster/cluster';
import { Senders, sleep } from '../test/faults/senders';
import { benchPatients } from './intake/workload';
import { percentile } from './intake/stats';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

async function main(): Promise<void> {
  const rate = env('BENCH_RATE', 1000);
  const seconds = env('BENCH_SECONDS', 60);
  const senderCount = env('BENCH_SENDERS', 32);
  const dir = mkdtempSync(join(tmpdir(), 'yilian-bench-e2e-'));
  const cluster = await Cluster.start({ dir, fromSource: true });
  process.removeAllListeners('SIGINT').removeAllListeners('SIGTERM');
  const read = new Pool({ connectionString: cluster.readUrl, max: 2 });
  try {
    const ports = cluster.intakes.flatMap((i) => Object.values(i.mllp));
    const tag = `E${Date.now().toString(36)}`;
    const reports = async () =>
      Number(
        (
          await read.query<{ n: string }>(`SELECT count(*) AS n FROM rm_lab_reports WHERE stream LIKE $1`, [
            `labreport-%-A${tag}-%`,
          ])
        ).rows[0]!.n,
      );
    const senders = new Senders(
      Array.from({ length: senderCount }, (_, n) => ({
        port: ports[n % ports.length]!,
        rate: rate / senderCount,
      })),
    );
    const keyer = new PatientKeyer(cluster.secrets.patientKeySecret);
    const probePatients = benchPatients(5_000).slice(1_000); // not the senders' 200
    const latencies: number[] = [];
    let probing = true;
    const probeLoop = (async () => {
      const client = await MllpClient.connect(ports[0]!);
      for (let n = 0; probing; n++) {
        const patient = probePatients[n % probePatients.length]!;
        const controlId = `${tag}P${n}`;
        const ack = await client.send(
          oruR01({ controlId, accession: `P${controlId}`, residentId: patient.residentId, mrn: patient.mrn }),
        );
        if (!ack.includes('MSA|AA')) continue;
        const acked = Date.now();
        const url = `http://127.0.0.1:${cluster.platformApiPort}/fhir/DiagnosticReport?patient=Patient/${keyer.forResidentId(patient.residentId)}`;
        for (;;) {
          const r = await fetch(url, {
            headers: { authorization: `Bearer ${cluster.secrets.platformClient.apiKey}` },
          });
          if (((await r.json()) as { total?: number }).total) break;
          await sleep(10);
        }
        latencies.push(Date.now() - acked);
        await sleep(200);
      }
      await client.close();
    })();

    const t0 = Date.now();
    senders.start(tag);
    const samples: { t: number; acked: number; projected: number }[] = [];
    while (Date.now() - t0 < seconds * 1000) {
      await sleep(1000);
      samples.push({ t: Date.now() - t0, acked: senders.acked.size, projected: await reports() });
    }
    await senders.stop();
    probing = false;
    await probeLoop;
    const loadMs = Date.now() - t0;
    const acked = senders.acked.size;
    const projectedAtEnd = await reports();
    const lagMetric = await projectorLag(cluster);
    while ((await reports()) < acked) await sleep(100);
    const drainedMs = Date.now() - t0;
    // steady state: the second half of the window
    const half = samples[Math.floor(samples.length / 2)]!;
    const last = samples[samples.length - 1]!;
    const perS = (d: number, ms: number) => (d / ms) * 1000;
    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(
      `bench:e2e — ${rate} msg/s asked of ${senderCount} MLLP senders for ${seconds} s (2 intakes, 2 projectors, one PostgreSQL; shared machine)`,
    );
    console.log(
      `  intake acknowledged     ${perS(acked, loadMs).toFixed(0)} msg/s (second half: ${perS(last.acked - half.acked, last.t - half.t).toFixed(0)})`,
    );
    console.log(
      `  projectors applied      ${perS(last.projected - half.projected, last.t - half.t).toFixed(0)} reports/s (second half)`,
    );
    console.log(
      `  behind at load end      ${acked - projectedAtEnd} reports; projector lag metric ${lagMetric} messages; all queryable ${((drainedMs - loadMs) / 1000).toFixed(1)} s after`,
    );
    console.log(
      `  ingest → queryable      p50 ${percentile(sorted, 50)} ms, p99 ${percentile(sorted, 99)} ms, max ${sorted[sorted.length - 1]} ms (${sorted.length} probes via platform-api)`,
    );
    console.log(`  resends                 ${JSON.stringify(senders.retries)}`);
  } finally {
    await read.end();
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Sum of yilian_projector_partition_lag_messages over both projectors. */
async function projectorLag(cluster: Cluster): Promise<number> {
  let sum = 0;
  for (const name of ['projector-1', 'projector-2']) {
    const text = await (await fetch(`http://127.0.0.1:${cluster.metricsPorts[name]}/metrics`)).text();
    for (const m of text.matchAll(/^yilian_projector_partition_lag_messages\{[^}]*\} (\d+)/gm))
      sum += Number(m[1]);
  }
  return sum;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
