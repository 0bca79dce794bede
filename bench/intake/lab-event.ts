/**
 * The event the intake appends for one of the bench's messages, built by the hub's own steps
 * (parse, map, patient key, normalise, decide a new stream): what the store stores per AA.
 */
import { randomUUID } from 'node:crypto';
import { deterministicEventId, labReportStream, type NewEvent } from '@yilian/contracts';
import { type LabReportDraft, mapOruR01Lab, parseHl7 } from '@yilian/hl7v2';
import { PatientKeyer } from '@yilian/patients';
import {
  decideLabReport,
  initialLabReportState,
  type NormalizedLabReport,
  normalizeLabReport,
  resolverByIds,
} from '@yilian/results';

const keyer = new PatientKeyer('bench-secret-that-is-at-least-32-bytes-long!');

/** normalizeLabReport of a mapped report of institution H001, as the intake calls it. */
export function normalizeMapped(r: LabReportDraft, patientKey: string): NormalizedLabReport {
  return normalizeLabReport({
    performer: 'H001',
    accession: r.accession,
    patientKey,
    report: r.report,
    observations: r.observations,
    specimens: r.specimens,
    resolve: resolverByIds([r.report, ...r.observations, ...r.specimens]),
  });
}

/** The event of a report's first version, decided as the intake decides it (control id MSH-10). */
export function firstVersionEvent(
  accession: string,
  patientKey: string,
  normalized: NormalizedLabReport,
  controlId: string,
  receivedAt: string,
): NewEvent {
  const [event] = decideLabReport(
    {
      type: 'RecordLabReport',
      performer: 'H001',
      accession,
      patientKey,
      ...normalized,
      source: { institution: 'H001', messageId: controlId, protocol: 'hl7v2' },
      eventId: deterministicEventId('H001', 'hl7v2', controlId),
      correlationId: randomUUID(),
      now: receivedAt,
    },
    initialLabReportState,
  );
  return event!;
}

/** The `LabReportRecorded` event of HL7 v2 message `text` from institution H001, and its stream. */
export function labEventOf(text: string, receivedAt: string): { stream: string; event: NewEvent } {
  const parsed = parseHl7(text);
  if (!parsed.ok) throw new Error('lab event: the message does not parse');
  const mapped = mapOruR01Lab(parsed.message, { institution: 'H001', receivedAt });
  if (!mapped.ok) throw new Error('lab event: the message does not map');
  const r = mapped.reports[0]!;
  const patientKey = keyer.forResidentId(mapped.patient.residentId!);
  const controlId = parsed.message.getSegment('MSH')?.getField(10)?.toString() ?? randomUUID();
  const event = firstVersionEvent(
    r.accession,
    patientKey,
    normalizeMapped(r, patientKey),
    controlId,
    receivedAt,
  );
  return { stream: labReportStream('H001', r.accession), event };
}
