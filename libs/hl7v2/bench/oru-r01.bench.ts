/**
 * Cost of parsing + mapping one ORU^R01 (1 OBR, 15 OBX: the Chinese LIS CBC fixture), and of
 * the ACK. Run: node -r @swc-node/register libs/hl7v2/bench/oru-r01.bench.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAck, mapOruR01Lab, parseHl7 } from '../src';

const text = readFileSync(join(__dirname, '..', 'test', 'fixtures', 'cn-lis-cbc-v231.hl7'), 'utf8').replace(
  /\n/g,
  '\r',
);
const ctx = { institution: 'bjsyyy', receivedAt: '2024-03-15T02:31:00.000Z' };
const now = new Date();

/** CPU time per call (µs), median of 5 rounds: on a shared host, wall time mostly measures
 * the neighbours. */
function measure(label: string, runs: number, work: () => unknown): number {
  for (let i = 0; i < 2_000; i++) work();
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    const start = process.cpuUsage();
    for (let i = 0; i < runs; i++) work();
    const used = process.cpuUsage(start);
    rounds.push((used.user + used.system) / runs);
  }
  rounds.sort((a, b) => a - b);
  console.log(`${label.padEnd(34)} CPU median ${rounds[2]!.toFixed(1)} µs  best ${rounds[0]!.toFixed(1)} µs`);
  return rounds[2]!;
}

measure('parse (1 OBR + 15 OBX)', 20_000, () => parseHl7(text));
const total = measure('parse + map to FHIR', 20_000, () => mapOruR01Lab(text, ctx));
measure('buildAck AA (raw text)', 20_000, () => buildAck(text, 'AA', [], { now }));
const result = mapOruR01Lab(text, ctx);
if (!result.ok) throw new Error('fixture did not map');
console.log(`${Math.round(1_000_000 / total)} messages/s on one core`);
