/* Helpers for the projector's integration spec: lab-report events as the relay publishes them,
 * a TCP proxy in front of PostgreSQL that can be cut, and what a consumer group committed. */
import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Admin } from 'kafkajs';
import { type fhir4, LAB_REPORT_RECORDED, type RecordedEvent } from '@yilian/contracts';

let commit = 10_000n;

/** Version `version` (0: first issue, then corrections) of lab report `accession`. A `broken`
 * one has no observations: the lab-report projection throws on it (bad data). */
export function labReport(
  accession: string,
  version: number,
  patientKey: string,
  options: { broken?: boolean } = {},
): RecordedEvent {
  commit++;
  const id = `H001.${accession}`;
  const observations: fhir4.Observation[] = [
    { code: '2823-3', value: 3.5 + version / 10 },
    { code: '2951-2', value: 140 },
    { code: '2075-0', value: 101 },
  ].map((o, n) => ({
    resourceType: 'Observation',
    id: `${id}.o${n}`,
    status: version === 0 ? 'final' : 'corrected',
    code: { coding: [{ system: 'http://loinc.org', code: o.code }] },
    subject: { reference: `Patient/${patientKey}` },
    effectiveDateTime: '2026-11-23T08:30:00+08:00',
    valueQuantity: { value: o.value, unit: 'mmol/L' },
  }));
  const report: fhir4.DiagnosticReport = {
    resourceType: 'DiagnosticReport',
    id,
    status: version === 0 ? 'final' : 'corrected',
    code: { coding: [{ system: 'urn:local', code: 'BIOCHEM' }] },
    subject: { reference: `Patient/${patientKey}` },
    issued: '2026-11-23T09:00:00+08:00',
    result: observations.map((o) => ({ reference: `Observation/${o.id}` })),
  };
  return {
    id: randomUUID(),
    type: LAB_REPORT_RECORDED,
    schemaVersion: 1,
    stream: `labreport-H001-${accession}`,
    streamPosition: BigInt(version),
    position: { commit, prepare: commit },
    recordedAt: new Date(Date.UTC(2026, 10, 23, 1, 0, 0, Number(commit))).toISOString(),
    hash: 'a'.repeat(64),
    previousHash: version > 0 ? 'b'.repeat(64) : null,
    data: options.broken
      ? { performer: 'H001', accession, report }
      : { performer: 'H001', accession, report, observations },
    metadata: {
      source: { institution: 'H001', messageId: `m-${accession}-${version}`, protocol: 'hl7v2' },
      correlationId: randomUUID(),
      patientKey,
      occurredAt: '2026-11-23T01:00:00.000Z',
    },
  };
}

export interface PartitionOffsets {
  /** Per partition: the group's committed offset ('-1' for none) and the partition's end. */
  readonly partitions: { partition: number; committed: string; end: string }[];
  /** Every partition committed up to its end. */
  readonly atEnd: boolean;
}

export async function groupOffsets(admin: Admin, groupId: string, topic: string): Promise<PartitionOffsets> {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const ends = await admin.fetchTopicOffsets(topic);
  const partitions = ends
    .map(({ partition, high }) => ({
      partition,
      committed: committed?.partitions.find((p) => p.partition === partition)?.offset ?? '-1',
      end: high,
    }))
    .sort((a, b) => a.partition - b.partition);
  const atEnd = partitions.every((p) => p.end === '0' || p.committed === p.end);
  return { partitions, atEnd };
}

/** Messages on a topic: the sum of its partitions' ends (the topics here are never trimmed). */
export async function messageCount(admin: Admin, topic: string): Promise<number> {
  const ends = await admin.fetchTopicOffsets(topic);
  return ends.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
}

/** Probes until `ok`; retriable Kafka errors count as "not yet". */
export async function eventually<T>(
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  what: string,
  timeoutMs = 40_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await probe();
      if (ok(value)) return value;
    } catch (e) {
      // A fresh topic's partitions may still be moving to their leader ("not the leader for
      // that topic-partition"): kafkajs marks such errors retriable; anything else fails.
      if (!(e as { retriable?: boolean }).retriable || Date.now() > deadline) throw e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A TCP proxy to PostgreSQL that can be cut: down() drops every connection and then accepts
 * and drops every new one (counted), up() forwards again. */
export class CuttableProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private down_ = false;
  refused = 0;

  private constructor(target: { host: string; port: number }) {
    this.server = createServer((client) => {
      if (this.down_) {
        this.refused++;
        client.destroy();
        return;
      }
      const upstream = connect(target.port, target.host);
      for (const [a, b] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        this.sockets.add(a);
        a.on('error', () => b.destroy());
        a.on('close', () => {
          this.sockets.delete(a);
          b.destroy();
        });
        a.pipe(b);
      }
    });
  }

  /** Starts a proxy to `url`'s server; answers the same URL through the proxy. */
  static async start(url: string): Promise<{ proxy: CuttableProxy; url: string }> {
    const target = new URL(url);
    const proxy = new CuttableProxy({ host: target.hostname, port: Number(target.port) });
    await new Promise<void>((ok) => proxy.server.listen(0, '127.0.0.1', ok));
    const address = proxy.server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no port');
    const through = new URL(url);
    through.hostname = '127.0.0.1';
    through.port = String(address.port);
    return { proxy, url: through.toString() };
  }

  down(): void {
    this.down_ = true;
    for (const s of this.sockets) s.destroy();
  }

  up(): void {
    this.down_ = false;
  }

  async close(): Promise<void> {
    this.down();
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }
}
