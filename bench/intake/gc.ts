/*
 * node [--max-semi-space-size=N] -r @swc-node/register bench/intake/gc.ts — the hub's steps
 * before any I/O (parse, map, normalise, decide, encode the event) on 1,000 of the bench's
 * messages, 7 rounds after 2 of warm-up, the last 64 encoded events kept alive as appends in
 * flight are: CPU per message (best and median round) and the garbage collector's pauses. Run it
 * with different semi-space sizes, one after the other, to see what the young generation's size
 * does to a worker's CPU (apps/intake/src/workers.ts sets the workers' size).
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { encodeEvent } from '@yilian/event-store';
import { labEventOf } from './lab-event';
import { benchMessage, benchPatients } from './workload';

const patients = benchPatients(300);
const texts = Array.from({ length: 1000 }, (_, i) => benchMessage('G', i % 16, i, patients).text);
const receivedAt = new Date().toISOString();
const inFlight: unknown[] = [];
const once = () => {
  for (const text of texts) {
    const { stream, event } = labEventOf(text, receivedAt);
    inFlight.push(encodeEvent(stream, event));
    if (inFlight.length > 64) inFlight.shift();
  }
};
once();
once();
let gcMs = 0;
let gcs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcMs += e.duration;
    gcs++;
  }
}).observe({ entryTypes: ['gc'] });
const rounds: number[] = [];
for (let r = 0; r < 7; r++) {
  const start = process.cpuUsage();
  once();
  const used = process.cpuUsage(start);
  rounds.push((used.user + used.system) / texts.length);
}
rounds.sort((a, b) => a - b);
// the observer reports after the work: let it
setTimeout(() => {
  const flags = process.execArgv.filter((a) => a.startsWith('--max-semi-space-size')).join(' ');
  console.log(
    `${flags || 'default semi-space'}: CPU best ${rounds[0]!.toFixed(0)} µs, median ${rounds[3]!.toFixed(0)} µs ` +
      `per message; ${gcs} GC pauses, ${((gcMs * 1000) / (texts.length * 7)).toFixed(0)} µs per message (wall)`,
  );
}, 100);
