/**
 * ORU^R01 (lab results, v2.3 – 2.5.1) → the patient's identifiers and one LabReportDraft per
 * OBR group, or the errors that make the message unacceptable, each naming its segment,
 * field and component. Pure: no I/O, no clock (time comes in as `receivedAt`). Never throws.
 * OUL^R22 / R23 / R24 (specimen / container / order oriented lab results, v2.5+) are read into
 * the same groups (`oul.groups.ts`) and mapped the same way (`mapLabResult`); OUL^R21 (v2.4) is
 * ORU^R01's structure with SAC / SID / TCD, read by `groupOruR01`.
 */
import type { Hl7Message } from '@medplum/core';
import { HL7_ERROR, type Hl7Error, MAPPING_DEFECT } from './hl7-error';
import { parseHl7 } from './hl7-parse';
import { CHINA_STANDARD_TIME } from './hl7-datetime';
import type { LabMappingContext, LabMappingResult, PatientIdentifiers } from './lab-report-draft';
import { classifyMessage } from './message-type';
import { groupOruR01, type OruR01Structure } from './oru-r01.groups';
import { groupOul } from './oul.groups';
import { mapOrder, orderNumbers } from './oru-r01.report';
import { mapPatientIdentifiers } from './patient-identifiers';

/** The lab result messages the hub records as `LabReportRecorded`. */
export const LAB_RESULT_MESSAGE_TYPES = ['ORU^R01', 'OUL^R21', 'OUL^R22', 'OUL^R23', 'OUL^R24'] as const;
export type LabResultMessageType = (typeof LAB_RESULT_MESSAGE_TYPES)[number];
const LAB_RESULT_TYPES: ReadonlySet<string> = new Set(LAB_RESULT_MESSAGE_TYPES);

function structureOf(message: Hl7Message, type: LabResultMessageType): OruR01Structure {
  // OUL^R21 (v2.4, kept for backward compatibility to 2.6): [PID …] {[SAC [SID]] [ORC] OBR [NTE]
  // [TQ1…] [{OBX [TCD] [SID] [NTE]}] [CTI]} — the ORU^R01 order groups with SAC / SID / TCD
  // skipped, so it is read as ORU^R01 is
  return type === 'ORU^R01' || type === 'OUL^R21'
    ? groupOruR01(message)
    : groupOul(message, type === 'OUL^R22' ? 'R22' : type === 'OUL^R23' ? 'R23' : 'R24');
}

function mapLab(
  input: Hl7Message | string,
  ctx: LabMappingContext,
  accepted: ReadonlySet<string>,
): LabMappingResult {
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
  if (!accepted.has(kind.type)) {
    const error = {
      segment: 'MSH',
      sequence: 1,
      field: 9,
      code: HL7_ERROR.unsupportedMessageType,
      message: `${kind.type} is not a lab result (${[...accepted].join(', ')})`,
    };
    return { ok: false, errors: [error] };
  }
  const type = kind.type as LabResultMessageType;
  const structure = structureOf(message, type);
  const errors: Hl7Error[] = [...structure.errors];
  const [pid, ...others] = structure.pids;
  let patient: PatientIdentifiers = {};
  if (!pid && type !== 'ORU^R01') {
    // OUL's PATIENT group is optional; the hub needs the patient's identifier (PID-3)
    errors.push({
      segment: 'PID',
      sequence: 1,
      field: 3,
      code: HL7_ERROR.requiredFieldMissing,
      message: `no PID segment: the hub records a lab result only with its patient's identifier (PID-3)`,
    });
  } else if (!pid) {
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
        const text = `a second patient in one message: send one ${type} per patient`;
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

const ORU_ONLY: ReadonlySet<string> = new Set(['ORU^R01']);

/** Maps an ORU^R01 lab message (parsed or raw text). */
export function mapOruR01Lab(message: Hl7Message | string, ctx: LabMappingContext): LabMappingResult {
  try {
    return mapLab(message, ctx, ORU_ONLY);
  } catch {
    return { ok: false, errors: [MAPPING_DEFECT] };
  }
}

/** Maps any lab result message (`LAB_RESULT_MESSAGE_TYPES`): ORU^R01 or OUL^R22 / R23 / R24. */
export function mapLabResult(message: Hl7Message | string, ctx: LabMappingContext): LabMappingResult {
  try {
    return mapLab(message, ctx, LAB_RESULT_TYPES);
  } catch {
    return { ok: false, errors: [MAPPING_DEFECT] };
  }
}
