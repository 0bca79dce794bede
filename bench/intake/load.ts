/**
 * The load generator: `connections` MLLP connections to loopback, each sending one message,
 * waiting for its ACK, then sending the next, until the time is up or the message budget is
 * spent. Runs in the bench process itself or in a child process (load-process.ts).
 */
import { MllpClient } from '@yilian/hl7v2';
import { benchMessage, benchPatients } from './workload';

export interface LoadSpec {
  /** Short [A-Za-z0-9] label, part of every control id and accession of this run. */
  readonly tag: string;
  readonly host: string;
  /** MLLP ports (one per institution); connections are spread over them round robin. */
  readonly ports: readonly number[];
  readonly connections: number;
  readonly seconds: number;
  /** Stop after this many messages in all (0: no limit, time only). */
  readonly maxMessages: number;
  readonly patients: number;
  readonly ackTimeoutMs: number;
}

export interface LoadResult {
  readonly tag: string;
  readonly sent: number;
  /** ACKs with MSA-1 = AA and MSA-2 = the message's control id. */
  readonly accepted: number;
  /** What went wrong, by kind (`AE`, `AR`, `wrong control id`, `error: …`), with counts. */
  readonly failures: Record<string, number>;
  /** ACK latency of every AA, ms, ascending. */
  readonly latenciesMs: Float64Array;
  readonly wallMs: number;
  /** CPU time of the process the generator ran in, ms (includes the hub when inline). */
  readonly cpuMs: number;
}

/** MSA-1 and MSA-2 of an ACK. */
function msaOf(ack: string): { code: string; controlId: string } | undefined {
  const at = ack.indexOf('MSA|');
  if (at === -1) return undefined;
  const end = ack.indexOf('\r', at);
  const fields = ack.slice(at, end === -1 ? undefined : end).split('|');
  return { code: fields[1] ?? '', controlId: fields[2] ?? '' };
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const patients = benchPatients(spec.patients);
  const clients = await Promise.all(
    Array.from({ length: spec.connections }, (_, i) =>
      MllpClient.connect(spec.ports[i % spec.ports.length]!, spec.host, { ackTimeoutMs: spec.ackTimeoutMs }),
    ),
  );
  const failures: Record<string, number> = {};
  const fail = (kind: string) => (failures[kind] = (failures[kind] ?? 0) + 1);
  let latencies = new Float64Array(64 * 1024);
  let accepted = 0;
  let sent = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const deadline = start + spec.seconds * 1000;
  const budgetLeft = () => spec.maxMessages === 0 || sent < spec.maxMessages;

  const drive = async (client: MllpClient, connection: number) => {
    for (let seq = 0; performance.now() < deadline && budgetLeft(); seq++) {
      const message = benchMessage(spec.tag, connection, seq, patients);
      sent++;
      const t0 = performance.now();
      let ack: string;
      try {
        ack = await client.send(message.text);
      } catch (e) {
        fail(`error: ${(e as Error).message}`);
        return; // the client is unusable after a timeout or a closed socket
      }
      const latency = performance.now() - t0;
      const msa = msaOf(ack);
      if (!msa) fail('no MSA');
      else if (msa.code !== 'AA') fail(msa.code || 'empty MSA-1');
      else if (msa.controlId !== message.controlId) fail('wrong control id');
      else {
        if (accepted === latencies.length) {
          const grown = new Float64Array(latencies.length * 2);
          grown.set(latencies);
          latencies = grown;
        }
        latencies[accepted++] = latency;
      }
    }
  };
  try {
    await Promise.all(clients.map((c, i) => drive(c, i)));
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return {
    tag: spec.tag,
    sent,
    accepted,
    failures,
    latenciesMs: latencies.slice(0, accepted).sort(),
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}
