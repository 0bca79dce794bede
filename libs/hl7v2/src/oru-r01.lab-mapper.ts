/**
 * ORU^R01 (lab results, v2.3 – 2.5.1) → the patient's identifiers and one LabReportDraft per
 * OBR group, or the errors that make the message unacceptable, each naming its segment,
 * field and component. Pure: no I/O, no clock (time comes in as `receivedAt`). Never throws.
 */
import type { Hl7Message } from '@medplum/core';
import { HL7_ERROR, type Hl7Error, MAPPING_DEFECT } from './hl7-error';
import { parseHl7 } from './hl7-parse';
import { CHINA_STANDARD_TIME } from './hl7-datetime';
import type { LabMappingContext, LabMappingResult, PatientIdentifiers } from './lab-report-draft';
import { classifyMessage } from './message-type';
import { groupOruR01 } from './oru-r01.groups';
import { mapOrder, orderNumbers } from './oru-r01.report';
import { mapPatientIdentifiers } from './patient-identifiers';

function mapLab(input: Hl7Message | string, ctx: LabMappingContext): LabMappingResult {
  let message: Hl7Message;
  if (typeof input === 'string') {
    const parsed = parseHl7(input);
    if (!parsed.ok) return { ok: false, errors: [...parsed.errors] };
    message = parsed.message;
  } else {
    message = input;
  }
  const kind = classifyMessage(message);
  if (!kind.ok) return { ok: false, errors: [...kind.errors] };
  if (kind.type !== 'ORU^R01') {
    const error = {
      segment: 'MSH',
      sequence: 1,
      field: 9,
      code: HL7_ERROR.unsupportedMessageType,
      message: `${kind.type} is not a lab result (ORU^R01)`,
    };
    return { ok: false, errors: [error] };
  }
  const structure = groupOruR01(message);
  const errors: Hl7Error[] = [...structure.errors];
  const [pid, ...others] = structure.pids;
  let patient: PatientIdentifiers = {};
  if (!pid) {
    errors.push({
      segment: 'PID',
      sequence: 1,
      code: HL7_ERROR.segmentSequence,
      message: 'no PID segment: a lab result needs its patient',
    });
  } else {
    patient = mapPatientIdentifiers(pid, ctx.institution, errors);
    const identity = pid.segment.fields[3]?.toString() ?? '';
    for (const other of others) {
      if ((other.segment.fields[3]?.toString() ?? '') !== identity) {
        const text = 'a second patient in one message: send one ORU^R01 per patient';
        errors.push({
          segment: 'PID',
          sequence: other.sequence,
          field: 3,
          code: HL7_ERROR.segmentSequence,
          message: text,
        });
      }
    }
  }
  if (structure.orders.length === 0) {
    errors.push({
      segment: 'OBR',
      sequence: 1,
      code: HL7_ERROR.segmentSequence,
      message: 'no OBR segment: nothing to record',
    });
  }
  const env = {
    institution: ctx.institution,
    receivedAt: ctx.receivedAt,
    defaultUtcOffset: ctx.defaultUtcOffset ?? CHINA_STANDARD_TIME,
    errors,
  };
  // an order number several OBRs share (one order, several panels) is told apart by OBR-4
  const numbers = structure.orders.map((o) => {
    const { filler, placer } = orderNumbers(o);
    return filler || placer;
  });
  const count = new Map<string, number>();
  for (const n of numbers) if (n) count.set(n, (count.get(n) ?? 0) + 1);
  const reports = structure.orders.map((order, i) => mapOrder(order, env, (count.get(numbers[i]!) ?? 0) > 1));
  const firstAt = new Map<string, number>();
  reports.forEach((r, i) => {
    const previous = firstAt.get(r.accession);
    if (previous === undefined) firstAt.set(r.accession, i);
    else {
      const obr = structure.orders[i]!.obr;
      const text = `accession ${r.accession} is already used by OBR ${previous + 1} of this message (with the same OBR-4)`;
      errors.push({
        segment: 'OBR',
        sequence: obr.sequence,
        field: 3,
        code: HL7_ERROR.duplicateKey,
        message: text,
      });
    }
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, patient, reports };
}

/** Maps an ORU^R01 lab message (parsed or raw text). */
export function mapOruR01Lab(message: Hl7Message | string, ctx: LabMappingContext): LabMappingResult {
  try {
    return mapLab(message, ctx);
  } catch {
    return { ok: false, errors: [MAPPING_DEFECT] };
  }
}
