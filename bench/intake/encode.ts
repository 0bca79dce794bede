/*
 * node -r @swc-node/register bench/intake/encode.ts — one lab-report event made ready for the
 * wire two ways, interleaved in one process (CPU time, 8 rounds of 3,000): the JSON texts
 * hashed as strings and handed to pg as strings (which encodes them to UTF-8 again), against
 * encodeEvent (UTF-8 once; the same bytes hashed and sent). Each ends with pg-protocol's Bind
 * message, what the store's call puts on the socket for the event.
 */
import { serialize } from 'pg-protocol';
import { encodeEvent, serializeEvent } from '@yilian/event-store';
import { labEventOf } from './lab-event';
import { benchMessage, benchPatients } from './workload';

const { stream, event } = labEventOf(
  benchMessage('E', 0, 1, benchPatients(1)).text,
  new Date().toISOString(),
);
const bind = (hash: string, data: string | Buffer, metadata: string | Buffer) =>
  serialize.bind({
    statement: 'yl_append_1',
    values: [stream, '-1', '{}', '{}', '{1}', hash, data, metadata],
  }).length;
const ways: Record<string, () => number> = {
  'strings (hash, then pg encodes)': () => {
    const s = serializeEvent(stream, event);
    return s.data.includes('\\u0000') ? 0 : bind(s.contentHash, s.data, s.metadata);
  },
  'encodeEvent (UTF-8 once)': () => {
    const s = encodeEvent(stream, event);
    return s.data.includes('\\u0000') ? 0 : bind(s.contentHash, s.data, s.metadata);
  },
};
const [a, b] = [serializeEvent(stream, event), encodeEvent(stream, event)];
if (a.contentHash !== b.contentHash || a.data !== b.data.toString('utf8'))
  throw new Error('the two ways differ');
const perWay: Record<string, number[]> = {};
for (let round = 0; round < 9; round++) {
  for (const [name, work] of Object.entries(ways)) {
    const start = process.cpuUsage();
    for (let i = 0; i < 3000; i++) work();
    const used = process.cpuUsage(start);
    if (round > 0) (perWay[name] ??= []).push((used.user + used.system) / 3000);
  }
}
console.log(
  `one event, ${Buffer.byteLength(a.data)} B of JSON data; CPU µs per event, best / median of 8 rounds:`,
);
for (const [name, us] of Object.entries(perWay)) {
  us.sort((x, y) => x - y);
  console.log(`  ${name.padEnd(34)} ${us[0]!.toFixed(1)} / ${us[4]!.toFixed(1)}`);
}
