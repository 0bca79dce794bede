import { randomUUID } from 'node:crypto';
import { deterministicEventId, labReportStream } from '@yilian/contracts';
import { serializeEvent } from '@yilian/event-store';
import { mapOruR01Lab, parseHl7 } from '@yilian/hl7v2';
import { PatientKeyer } from '@yilian/patients';
import { decideLabReport, initialLabReportState, normalizeLabReport, resolverByIds } from '@yilian/results';
import { benchMessage, benchPatients } from './workload';
const m = benchMessage('X', 1, 1, benchPatients(10));
console.log(m.text.replace(/\r/g, '\n'));
const parsed = parseHl7(m.text);
if (!parsed.ok) throw new Error();
const mapped = mapOruR01Lab(parsed.message, { institution: 'H001', receivedAt: new Date().toISOString() });
if (!mapped.ok) throw new Error();
const keyer = new PatientKeyer('bench-secret-that-is-at-least-32-bytes-long!');
const patientKey = keyer.forResidentId(mapped.patient.residentId!);
const r = mapped.reports[0]!;
const normalized = normalizeLabReport({
  performer: 'H001',
  accession: r.accession,
  patientKey,
  report: r.report,
  observations: r.observations,
  specimens: r.specimens,
  resolve: resolverByIds([r.report, ...r.observations, ...r.specimens]),
});
const [event] = decideLabReport(
  {
    type: 'RecordLabReport',
    performer: 'H001',
    accession: r.accession,
    patientKey,
    ...normalized,
    source: { institution: 'H001', messageId: 'C1', protocol: 'hl7v2' },
    eventId: deterministicEventId('H001', 'hl7v2', 'C1'),
    correlationId: randomUUID(),
    now: new Date().toISOString(),
  },
  initialLabReportState,
);
const s = serializeEvent(labReportStream('H001', r.accession), event!);
console.log(s.data.length, s.metadata.length);
console.log(JSON.stringify(JSON.parse(s.data), null, 1));
console.log(s.metadata);
