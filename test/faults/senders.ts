/* HL7 v2 senders as real ones behave: each sends its messages one at a time over MLLP and, when
 * it gets no AA (connection refused or cut, no ACK in time, AR), reconnects and sends the same
 * message again — same control id — until it is acknowledged. Every AA is recorded. */
import { MllpClient } from '@yilian/hl7v2';
import { benchMessage, benchPatients } from '../../bench/intake/workload';

export interface SenderSpec {
  readonly port: number;
  /** Messages per second this sender aims at (one in flight at a time). */
  readonly rate: number;
}

const PATIENTS = benchPatients(200);
const ACK_TIMEOUT_MS = 5_000;
const RETRY_MS = 250;

function msa(ack: string): { code: string; controlId: string } {
  const fields = (/MSA\|[^\r]*/.exec(ack)?.[0] ?? '').split('|');
  return { code: fields[1] ?? '', controlId: fields[2] ?? '' };
}

export class Senders {
  /** Control ids acknowledged AA, each once. */
  readonly acked = new Set<string>();
  /** Answers that were not AA (by MSA-1 or error), sends that were retried. */
  readonly retries: Record<string, number> = {};
  /** Control ids a sender stopped retrying: still not AA when `stop`'s bound ran out. */
  readonly givenUp = new Set<string>();
  private running = false;
  private abandoned = false;
  private loops: Promise<void>[] = [];
  private tag = '';

  constructor(private readonly specs: readonly SenderSpec[]) {}

  /** Starts sending messages whose control ids begin with `tag-`. */
  start(tag: string): void {
    this.tag = tag;
    this.running = true;
    this.abandoned = false;
    this.loops = this.specs.map((spec, n) => this.loop(spec, n));
  }

  /** Stops taking new messages; resolves once each sender's last one is acknowledged, or after
   * `giveUpMs` with those still unacknowledged in `givenUp` (an intake that never answers again
   * shows in the table instead of hanging the run). */
  async stop(giveUpMs = 120_000): Promise<void> {
    this.running = false;
    let timer: NodeJS.Timeout | undefined;
    const all = Promise.all(this.loops);
    await Promise.race([all, new Promise((ok) => (timer = setTimeout(ok, giveUpMs)))]);
    clearTimeout(timer);
    this.abandoned = true;
    await all;
  }

  private async loop(spec: SenderSpec, n: number): Promise<void> {
    let client: MllpClient | undefined;
    const gap = 1000 / spec.rate;
    for (let seq = 0; this.running; seq++) {
      const started = Date.now();
      const { controlId, text } = benchMessage(this.tag, n, seq, PATIENTS);
      for (;;) {
        if (this.abandoned) {
          this.givenUp.add(controlId);
          this.count('gave up after stop (never AA)');
          await client?.close();
          return;
        }
        try {
          client ??= await MllpClient.connect(spec.port, '127.0.0.1', { ackTimeoutMs: ACK_TIMEOUT_MS });
          const answer = msa(await client.send(text));
          if (answer.code === 'AA' && answer.controlId === controlId) break;
          this.count(`ACK ${answer.code}`);
        } catch (e) {
          this.count((e as Error).message.replace(/\d+/g, 'N').slice(0, 60));
          void client?.close();
          client = undefined;
        }
        await sleep(RETRY_MS);
      }
      this.acked.add(controlId);
      const wait = gap - (Date.now() - started);
      if (wait > 0) await sleep(wait);
    }
    await client?.close();
  }

  private count(kind: string): void {
    this.retries[kind] = (this.retries[kind] ?? 0) + 1;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((ok) => setTimeout(ok, ms));
}
