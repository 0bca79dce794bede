import type { AppendStats, ReadStats } from './workload-runner';

export interface ContenderResult {
  readonly name: string;
  readonly single: AppendStats;
  readonly batched?: AppendStats;
  readonly readAll: ReadStats;
}

function fmt(n: number | undefined, digits = 0): string {
  if (n === undefined || Number.isNaN(n)) return '-';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function ratio(ours: number | undefined, theirs: number | undefined): string {
  if (ours === undefined || theirs === undefined || theirs === 0) return '-';
  return `${(ours / theirs).toFixed(2)}x`;
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: readonly string[]) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join(' | ');
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n');
}

/** contender | append ev/s | p50 | p99 | batched ev/s | p50 | p99 | read-all ev/s, then the
 * ratio ours/Emmett (throughput: higher is better; latency: lower is better). */
export function resultTable(ours: ContenderResult, theirs: ContenderResult, batchSize: number): string {
  const b = `x${batchSize}`;
  const header = [
    'contender',
    'append ev/s',
    'p50 ms',
    'p99 ms',
    `append${b} ev/s`,
    `${b} p50 ms`,
    `${b} p99 ms`,
    'read-all ev/s',
  ];
  const row = (r: ContenderResult) => [
    r.name,
    fmt(r.single.eventsPerSecond),
    fmt(r.single.p50Ms, 2),
    fmt(r.single.p99Ms, 2),
    fmt(r.batched?.eventsPerSecond),
    fmt(r.batched?.p50Ms, 2),
    fmt(r.batched?.p99Ms, 2),
    fmt(r.readAll.eventsPerSecond),
  ];
  return table([
    header,
    row(ours),
    row(theirs),
    [
      'ratio ours/Emmett',
      ratio(ours.single.eventsPerSecond, theirs.single.eventsPerSecond),
      ratio(ours.single.p50Ms, theirs.single.p50Ms),
      ratio(ours.single.p99Ms, theirs.single.p99Ms),
      ratio(ours.batched?.eventsPerSecond, theirs.batched?.eventsPerSecond),
      ratio(ours.batched?.p50Ms, theirs.batched?.p50Ms),
      ratio(ours.batched?.p99Ms, theirs.batched?.p99Ms),
      ratio(ours.readAll.eventsPerSecond, theirs.readAll.eventsPerSecond),
    ],
  ]);
}

/** CPU per event (client process + PostgreSQL server), in ms: less sensitive than throughput to
 * whatever else runs on the machine. */
export function cpuTable(ours: ContenderResult, theirs: ContenderResult, batchSize: number): string {
  const row = (r: ContenderResult) => [
    r.name,
    fmt(r.single.cpuMsPerEvent, 3),
    fmt(r.batched?.cpuMsPerEvent, 3),
    fmt(r.readAll.cpuMsPerEvent, 3),
  ];
  return table([
    ['CPU ms per event', 'append', `append x${batchSize}`, 'read-all'],
    row(ours),
    row(theirs),
    [
      'ratio ours/Emmett',
      ratio(ours.single.cpuMsPerEvent, theirs.single.cpuMsPerEvent),
      ratio(ours.batched?.cpuMsPerEvent, theirs.batched?.cpuMsPerEvent),
      ratio(ours.readAll.cpuMsPerEvent, theirs.readAll.cpuMsPerEvent),
    ],
  ]);
}
