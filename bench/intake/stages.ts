/**
 * CPU per step of the hub's HL7 path, on one core, without I/O (BENCH_STAGES=1): the steps
 * Hl7MessageHandler → LabResultsIntake → decider → PostgresEventStore.append run for a
 * message, called here one by one on the bench's own messages. What a message costs the hub
 * before PostgreSQL, the projector and the sockets.
 */
import { labReportStream } from '@yilian/contracts';
import { encodeEvent } from '@yilian/event-store';
import { buildAck, classifyMessage, mapOruR01Lab, parseHl7 } from '@yilian/hl7v2';
import { PatientKeyer } from '@yilian/patients';
import { firstVersionEvent, normalizeMapped } from './lab-event';

/** Wall µs per message of each step, run message by message as the hub does (median: robust
 * to the neighbours taking the core now and then; mean: includes the garbage collector). */
export function measureStages(
  texts: readonly string[],
): { name: string; medianUs: number; meanUs: number }[] {
  const keyer = new PatientKeyer('bench-secret-that-is-at-least-32-bytes-long!');
  const now = new Date();
  const receivedAt = now.toISOString();
  const names = [
    'parseHl7',
    'classifyMessage',
    'mapOruR01Lab',
    'patient key (HMAC-SHA256)',
    'normalizeLabReport',
    'event id + decide (new stream)',
    'encodeEvent (stringify, UTF-8, sha256)',
    'append params (NUL check)',
    'buildAck AA',
  ];
  const rounds = 4;
  const samples = names.map(() => new Float64Array(texts.length * rounds));
  let k = 0;
  const pipeline = (text: string, i: number, record: boolean) => {
    const t: number[] = [performance.now()];
    const mark = () => t.push(performance.now());
    const parsed = parseHl7(text);
    mark();
    if (!parsed.ok) throw new Error('stages: parse failed');
    classifyMessage(parsed.message);
    mark();
    const mapped = mapOruR01Lab(parsed.message, { institution: 'H001', receivedAt });
    mark();
    if (!mapped.ok) throw new Error('stages: map failed');
    const patientKey = keyer.forResidentId(mapped.patient.residentId!);
    mark();
    const r = mapped.reports[0]!;
    const normalized = normalizeMapped(r, patientKey);
    mark();
    const event = firstVersionEvent(r.accession, patientKey, normalized, `C-${i}`, receivedAt);
    mark();
    const encoded = encodeEvent(labReportStream('H001', r.accession), event);
    mark();
    if (encoded.data.includes('\\u0000') || encoded.metadata.includes('\\u0000'))
      throw new Error('stages: NUL');
    mark();
    buildAck(parsed.message, 'AA', [], { now });
    mark();
    if (record) {
      for (let s = 0; s < names.length; s++) samples[s]![k] = (t[s + 1]! - t[s]!) * 1000;
      k++;
    }
  };
  texts.forEach((text, i) => pipeline(text, i, false)); // warm-up
  for (let round = 0; round < rounds; round++) texts.forEach((text, i) => pipeline(text, i, true));
  return names.map((name, s) => {
    const sorted = samples[s]!.sort();
    return {
      name,
      medianUs: sorted[sorted.length >> 1]!,
      meanUs: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    };
  });
}

/** Size of one event's data as the store receives it (JSON bytes). */
export function eventBytes(text: string): number {
  const parsed = parseHl7(text);
  if (!parsed.ok) return 0;
  const m = mapOruR01Lab(parsed.message, { institution: 'H001', receivedAt: new Date().toISOString() });
  if (!m.ok) return 0;
  const r = m.reports[0]!;
  return Buffer.byteLength(JSON.stringify({ report: r.report, observations: r.observations }));
}
