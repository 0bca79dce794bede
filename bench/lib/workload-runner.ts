import { performance } from 'node:perf_hooks';
import type { NewEvent } from '@yilian/contracts';
import type { Contender } from './contender';
import { labReportEvent, labReportStreamId } from './lab-report-workload';

export interface WorkloadConfig {
  readonly events: number;
  readonly streams: number;
  readonly writers: number;
  /** Events per append in the batched variant (0 or 1: skip it). */
  readonly batchSize: number;
  readonly readBatch: number;
}

/** Appends number `from` (inclusive) to `to` (exclusive) of one kind of workload. */
export interface AppendRange {
  readonly kind: string;
  readonly from: number;
  readonly to: number;
  readonly streams: number;
  readonly writers: number;
  readonly perAppend: number;
}

export interface TimedAppends {
  readonly events: number;
  readonly seconds: number;
  readonly latenciesMs: number[];
  /** CPU time of the contender's process (the store's client side). */
  readonly clientCpuMs: number;
  /** CPU time of the PostgreSQL server meanwhile, where known (filled in by the bench). */
  readonly serverCpuMs?: number;
}

export interface TimedRead {
  readonly events: number;
  readonly seconds: number;
  readonly clientCpuMs: number;
  readonly serverCpuMs?: number;
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/**
 * Append number `a` goes to stream `a mod streams`, and stream `s` belongs to writer
 * `s mod writers`: each writer appends to its own streams, one append after the other, with
 * the expected revision it tracked itself — the way an intake instance appends. `lengths`
 * carries the stream lengths from one range to the next.
 */
export async function appendRange(
  contender: Contender,
  lengths: Map<string, number>,
  range: AppendRange,
): Promise<TimedAppends> {
  const latenciesMs: number[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: range.writers }, async (_, writer) => {
      for (let a = range.from; a < range.to; a++) {
        const streamIndex = a % range.streams;
        if (streamIndex % range.writers !== writer) continue;
        const id = labReportStreamId(range.kind, streamIndex);
        const length = lengths.get(id.stream) ?? 0;
        const events: NewEvent[] = Array.from({ length: range.perAppend }, (_, i) =>
          labReportEvent(id, length + i),
        );
        const t0 = performance.now();
        await contender.append(id.stream, events, length);
        latenciesMs.push(performance.now() - t0);
        lengths.set(id.stream, length + events.length);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { events: latenciesMs.length * range.perAppend, seconds, latenciesMs, clientCpuMs: cpuMsSince(cpu) };
}

export async function readAll(contender: Contender, readBatch: number): Promise<TimedRead> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const events = await contender.readAllFromStart(readBatch);
  return { events, seconds: (performance.now() - started) / 1000, clientCpuMs: cpuMsSince(cpu) };
}

export interface AppendStats {
  readonly events: number;
  readonly eventsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Client + server CPU per event, in ms: what the store costs, whatever else runs. */
  readonly cpuMsPerEvent?: number;
}

export interface ReadStats {
  readonly events: number;
  readonly eventsPerSecond: number;
  readonly cpuMsPerEvent?: number;
}

function cpuPerEvent(segments: readonly (TimedAppends | TimedRead)[], events: number): number | undefined {
  if (segments.some((s) => s.serverCpuMs === undefined)) return undefined;
  return segments.reduce((ms, s) => ms + s.clientCpuMs + s.serverCpuMs!, 0) / events;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function appendStats(segments: readonly TimedAppends[]): AppendStats {
  const latencies = segments.flatMap((s) => s.latenciesMs).sort((a, b) => a - b);
  const events = segments.reduce((n, s) => n + s.events, 0);
  const seconds = segments.reduce((n, s) => n + s.seconds, 0);
  return {
    events,
    eventsPerSecond: events / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    cpuMsPerEvent: cpuPerEvent(segments, events),
  };
}

export function readStats(segments: readonly TimedRead[]): ReadStats {
  const events = segments.reduce((n, s) => n + s.events, 0);
  const seconds = segments.reduce((n, s) => n + s.seconds, 0);
  return { events, eventsPerSecond: events / seconds, cpuMsPerEvent: cpuPerEvent(segments, events) };
}
