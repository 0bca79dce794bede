/**
 * Imaging results (ORU^R01 from a RIS or PACS, MDM^T02 / T08 / T10 / T11; v2.3 – 2.5.1)
 * → the patient's identifiers and one ImagingDraft per result / document: its study, its report
 * or both, or the errors that make the message unacceptable, each naming segment and field.
 * Imaging orders (OMI^O23, ORM^O01 with IPC / ZDS) are orders: `libs/hl7v2/src/orders`, whose
 * imaging part is `imagingOrderFacts` (./imaging-order.ts); an order is no study.
 * Pure: no I/O, no clock. Never throws. Which institution performed the study is the caller's
 * to decide (the accession's assigning authority is handed over, not trusted).
 */
import type { Hl7Message } from '@medplum/core';
import { CHINA_STANDARD_TIME } from '../hl7-datetime';
import { HL7_ERROR, MAPPING_DEFECT } from '../hl7-error';
import { repetitionCount, textComponent, textSubcomponent } from '../hl7-fields';
import { parseHl7 } from '../hl7-parse';
import type { SegmentRef } from '../oru-r01.groups';
import { mapPatientIdentifiers } from '../patient-identifiers';
import { mapDocumentReport } from './imaging-document.map';
import type {
  ImagingDraft,
  ImagingMappingContext,
  ImagingMappingResult,
  ImagingPatient,
} from './imaging-draft';
import { groupImagingMessage, type ImagingOrderGroup } from './imaging-groups';
import { classifyImagingMessage, IMAGING_DOCUMENT_TYPES } from './imaging-message';
import { accessionOf } from './imaging-order';
import { mapResultReport } from './imaging-report.map';
import { mapStudy, type StudyEnv, studyFacts } from './imaging-study.map';

function patientOf(pids: readonly SegmentRef[], env: StudyEnv): ImagingPatient {
  const [pid, ...others] = pids;
  if (!pid) {
    const message = 'no PID segment: an imaging message needs its patient';
    env.errors.push({ segment: 'PID', sequence: 1, code: HL7_ERROR.segmentSequence, message });
    return {};
  }
  const identity = pid.segment.fields[3]?.toString() ?? '';
  for (const other of others.filter((o) => (o.segment.fields[3]?.toString() ?? '') !== identity)) {
    const message = 'a second patient in one message: send one message per patient';
    env.errors.push({
      segment: 'PID',
      sequence: other.sequence,
      field: 3,
      code: HL7_ERROR.segmentSequence,
      message,
    });
  }
  const patient = mapPatientIdentifiers(pid, env.institution, env.errors);
  for (let r = 1; r <= repetitionCount(pid.segment, 3) && patient.mrn; r++) {
    if (textComponent(pid.segment, 3, 1, r) !== patient.mrn.value) continue;
    const authority = textSubcomponent(pid.segment, 3, 4, 1, r);
    return authority ? { ...patient, mrnAuthority: authority } : patient;
  }
  return patient;
}

function accessionOfOrder(group: ImagingOrderGroup, env: StudyEnv) {
  const { obr, orc } = group;
  const where = obr ?? orc ?? group.ipcs[0];
  const missing = { segment: where?.segment.name ?? 'OBR', sequence: where?.sequence ?? 1, field: 3 };
  const fields: [SegmentRef | undefined, number][] = [
    [group.ipcs[0], 1],
    [obr, 3],
    [orc, 3],
    [obr, 18],
    [obr, 2],
    [orc, 2],
  ];
  return accessionOf(fields, missing, env.errors);
}

function mapResult(group: ImagingOrderGroup, env: StudyEnv): ImagingDraft | undefined {
  const accession = accessionOfOrder(group, env);
  if (!group.obr) return undefined;
  const facts = studyFacts(group, env);
  const report = mapResultReport({ ...group, obr: group.obr }, facts.modality, env);
  const study = report.status === 'cancelled' ? undefined : mapStudy(group, facts, 'available', env, false);
  return (
    accession && {
      accession: accession.accession,
      accessionAt: accession.at,
      ...(accession.authority ? { accessionAuthority: accession.authority } : {}),
      studyIsPartial: true,
      report,
      ...(study ? { study } : {}),
    }
  );
}

function map(message: Hl7Message, ctx: ImagingMappingContext): ImagingMappingResult {
  const kind = classifyImagingMessage(message);
  if (!kind) {
    const error = {
      segment: 'MSH',
      sequence: 1,
      field: 9,
      code: HL7_ERROR.unsupportedMessageType,
      message: 'not an imaging message',
    };
    return { ok: false, errors: [error] };
  }
  if (!kind.ok) return { ok: false, errors: [...kind.errors] };
  const structure = groupImagingMessage(message);
  const env: StudyEnv = {
    institution: ctx.institution,
    defaultUtcOffset: ctx.defaultUtcOffset ?? CHINA_STANDARD_TIME,
    errors: [...structure.errors],
  };
  const patient = patientOf(structure.pids, env);
  const drafts: ImagingDraft[] = [];
  if (IMAGING_DOCUMENT_TYPES.has(kind.type)) {
    if (!structure.txa) {
      env.errors.push({
        segment: 'TXA',
        sequence: 1,
        code: HL7_ERROR.segmentSequence,
        message: `no TXA segment: ${kind.type} needs its document`,
      });
    } else {
      const draft = mapDocumentReport(kind.type, structure.txa, structure.documentObservations, env);
      if (draft) drafts.push(draft);
    }
  } else if (structure.orders.length === 0) {
    env.errors.push({
      segment: 'OBR',
      sequence: 1,
      code: HL7_ERROR.segmentSequence,
      message: 'no OBR segment: nothing to record',
    });
  } else {
    for (const group of structure.orders) {
      const draft = mapResult(group, env);
      if (draft) drafts.push(draft);
    }
  }
  const seen = new Set<string>();
  for (const d of drafts) {
    if (!seen.has(d.accession)) seen.add(d.accession);
    else
      env.errors.push({
        ...d.accessionAt,
        code: HL7_ERROR.duplicateKey,
        message: `accession ${d.accession} is used twice in this message`,
      });
  }
  return env.errors.length > 0
    ? { ok: false, errors: env.errors }
    : { ok: true, type: kind.type, patient, drafts };
}

/** Maps an imaging message (parsed or raw text). */
export function mapImagingMessage(
  input: Hl7Message | string,
  ctx: ImagingMappingContext,
): ImagingMappingResult {
  try {
    if (typeof input !== 'string') return map(input, ctx);
    const parsed = parseHl7(input);
    return parsed.ok ? map(parsed.message, ctx) : { ok: false, errors: [...parsed.errors] };
  } catch {
    return { ok: false, errors: [MAPPING_DEFECT] };
  }
}
