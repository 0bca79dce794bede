/**
 * Optional timing spans (BENCH_SPANS=1) around the hub's steps, by wrapping methods in this
 * process only (no source change): the whole HL7 handler, the lab-results intake (key,
 * normalise, decide, append), the store's readStream and append, and the wait for a pooled
 * PostgreSQL connection. Wall time, so it includes time spent queued behind other messages.
 */
import type { Pool } from 'pg';
import type { PostgresEventStore } from '@yilian/event-store';
import { LabResultsIntake } from '@yilian/intake';
import { Hl7MessageHandler } from '../../apps/intake/src/hl7/hl7-message.handler';
import { ms, percentile } from './stats';

type AnyFn = (...args: never[]) => unknown;

export class Spans {
  private readonly samples = new Map<string, number[]>();
  private readonly restore: Array<() => void> = [];
  recording = false;

  record(name: string, value: number): void {
    if (!this.recording) return;
    let list = this.samples.get(name);
    if (!list) this.samples.set(name, (list = []));
    list.push(value);
  }

  reset(): void {
    this.samples.clear();
  }

  /** Wraps `target[key]` (an async method) so each call's duration is recorded as `name`. */
  wrap<T extends object>(target: T, key: keyof T & string, name: string): void {
    const original = target[key] as unknown as AnyFn;
    const record = (value: number) => this.record(name, value);
    const wrapped = function (this: unknown, ...args: never[]) {
      const t0 = performance.now();
      const result = original.apply(this, args) as Promise<unknown>;
      return result.finally(() => record(performance.now() - t0));
    };
    (target as Record<string, unknown>)[key] = wrapped;
    this.restore.push(() => ((target as Record<string, unknown>)[key] = original));
  }

  /** Records how long each `pool.query` waited for a connection. */
  wrapPoolWait(pool: Pool, name: string): void {
    const original = pool.connect;
    const record = (value: number) => this.record(name, value);
    type Callback = (err: Error | undefined, client: unknown, done: unknown) => void;
    (pool as unknown as { connect: unknown }).connect = function (this: Pool, cb?: Callback) {
      const t0 = performance.now();
      if (!cb) return (original as () => Promise<unknown>).call(this);
      return (original as (cb: Callback) => void).call(this, (err, client, done) => {
        record(performance.now() - t0);
        cb(err, client, done);
      });
    };
    this.restore.push(() => ((pool as unknown as { connect: unknown }).connect = original));
  }

  unwrapAll(): void {
    for (const undo of this.restore.splice(0).reverse()) undo();
  }

  /** One line per span: count, mean, p50, p99 (ms). */
  report(messages: number): string[] {
    const lines: string[] = [];
    for (const [name, values] of this.samples) {
      const sorted = Float64Array.from(values).sort();
      const sum = values.reduce((a, b) => a + b, 0);
      lines.push(
        `  ${name.padEnd(34)} ${String(values.length).padStart(7)} calls  mean ${ms(sum / values.length).padStart(6)}  ` +
          `p50 ${ms(percentile(sorted, 50)).padStart(6)}  p99 ${ms(percentile(sorted, 99)).padStart(6)} ms` +
          `  (${ms(sum / Math.max(1, messages))} ms per AA)`,
      );
    }
    return lines;
  }
}

/** Spans on the hub's intake path and its store. */
export function instrumentHub(store: PostgresEventStore): Spans {
  const spans = new Spans();
  spans.wrap(Hl7MessageHandler.prototype, 'handle', 'Hl7MessageHandler.handle (all)');
  spans.wrap(LabResultsIntake.prototype, 'recordAll', 'LabResultsIntake.recordAll');
  spans.wrap(store, 'readStream', 'store.readStream (decide)');
  spans.wrap(store, 'append', 'store.append (yl_append)');
  spans.wrap(store, 'readAll', 'store.readAll (projector)');
  spans.wrapPoolWait(store.pool, 'store pool: wait for a connection');
  return spans;
}
