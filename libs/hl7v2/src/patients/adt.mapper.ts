/**
 * HL7 v2 ADT → identity requests, as HIS systems send them:
 *
 * | message            | request   | from                                                        |
 * | ADT^A01 – A16, A25 – A28, A31, A45, A60 | update | PID-3 (MRN, resident ID number), PID-5 name, PID-7, PID-8 |
 * | ADT^A40, A47       | merge     | each PID (the survivor) with the MRG after it: MRG-1 = the  |
 * |                    |           | prior MRN of the same institution (A47: the old identifier) |
 * | ADT^A41, A42       | merge / — | as A40 when MRG-1 names another MRN; an account (MRG-3) or  |
 * |                    |           | visit (MRG-5) merge alone changes no identity: AA, nothing  |
 * | ADT^A37            | separate  | PID (1) = the survivor, PID (2) = the prior record (its MRN)|
 *
 * Unmerge convention: HL7 v2 has no message that reverses an A40; the hub takes ADT^A37 (unlink
 * patient information) naming the two records, and undoes what joined them — the merge, else
 * the link. PID-3 is read exactly as for ORU^R01 (identifier types, GB 11643 check). Every
 * problem is an Hl7Error located as ERR-2 locates it; messages never repeat an identifier.
 */
import type { Hl7Message } from '@medplum/core';
import { HL7_ERROR, type Hl7Error } from '../hl7-error';
import { type IdentityRequest, parseResidentId, type RecordIdentifiers } from '@yilian/patients';
import type { PatientDemographics } from '@yilian/contracts';
import { repetitionCount, textComponent } from '../hl7-fields';
import { mapPatientIdentifiers } from '../patient-identifiers';

/** Events whose PID is the patient as the sender now knows them (admit, transfer, discharge,
 * register, pre-admit, class changes, update, add / update person): an `update`. HL7 v2
 * chapter 3 gives every ADT event the PID of the patient it is about, the same segment: so also
 * the tracking, pending and cancel events (A09 – A16, A25 – A27: a cancelled visit, not a
 * cancelled person), A45 (a visit moved to this PID's patient: its MRG names the visit's old
 * patient, not a record of this one — no merge) and A60 (allergy update). Not A29 (delete person
 * information) nor A30 / A34 – A36 / A39 / A46 / A48 / A49 (older merges and changes): still 201. */
const UPDATES = [
  ...['A01', 'A02', 'A03', 'A04', 'A05', 'A06', 'A07', 'A08', 'A28', 'A31'],
  ...['A09', 'A10', 'A11', 'A12', 'A13', 'A14', 'A15', 'A16', 'A25', 'A26', 'A27', 'A45', 'A60'],
];
/** PID + MRG pairs whose MRG-1 names another record of the patient: a `merge` (A40 merge
 * patient identifier list, A47 change patient identifier list: the old identifier in MRG-1). */
const MERGES = ['A40', 'A47'];
/** Merges of accounts (A41, MRG-3) and visits (A42, MRG-5): the hub keeps neither; a `merge`
 * only when MRG-1 names another medical record number. */
const ACCOUNT_MERGES = ['A41', 'A42'];

export const PATIENT_ADT_TYPES: ReadonlySet<string> = new Set(
  [...UPDATES, ...MERGES, ...ACCOUNT_MERGES, 'A37'].map((t) => `ADT^${t}`),
);

/** Where each record of a request sits, to locate a refusal in the ACK. */
export interface ErrLocation {
  readonly segment: string;
  readonly sequence: number;
  readonly field: number;
}

export interface LocatedRequest {
  readonly request: IdentityRequest;
  readonly record: ErrLocation;
  readonly prior?: ErrLocation;
}

export type AdtMapping =
  | { readonly ok: true; readonly requests: LocatedRequest[] }
  | { readonly ok: false; readonly errors: Hl7Error[] };

type Segment = Hl7Message['segments'][number];
interface Ref {
  readonly segment: Segment;
  readonly sequence: number;
}

const MRN_TYPES = ['MR', 'PI', 'PT', 'PN'];

function refs(message: Hl7Message, name: string): Ref[] {
  return message.segments.filter((s) => s.name === name).map((segment, i) => ({ segment, sequence: i + 1 }));
}

function readPid(pid: Ref, institution: string, errors: Hl7Error[]) {
  const read = mapPatientIdentifiers(pid, institution, errors);
  const record: RecordIdentifiers = {
    ...(read.residentId ? { residentId: read.residentId } : {}),
    ...(read.mrn ? { mrn: read.mrn } : {}),
  };
  const demographics: PatientDemographics = {
    ...(read.name ? { name: [{ text: read.name }] } : {}),
    ...(read.gender ? { gender: read.gender } : {}),
    ...(read.birthDate ? { birthDate: read.birthDate } : {}),
  };
  return { record, demographics, at: { segment: 'PID', sequence: pid.sequence, field: 3 } };
}

/** MRG-1 (prior patient identifier list): the MRN — typed MR (else PI, PT, PN), or the first
 * untyped identifier that is not a resident ID number. */
function priorMrn(mrg: Ref, institution: string, errors: Hl7Error[]): RecordIdentifiers {
  const at = { segment: 'MRG', sequence: mrg.sequence, field: 1 };
  const candidates: { type: string; value: string }[] = [];
  for (let r = 1; r <= repetitionCount(mrg.segment, 1); r++) {
    const value = textComponent(mrg.segment, 1, 1, r);
    const type = textComponent(mrg.segment, 1, 5, r).toUpperCase();
    if (value && (MRN_TYPES.includes(type) || (type === '' && !parseResidentId(value).ok)))
      candidates.push({ type, value });
  }
  const chosen = MRN_TYPES.map((t) => candidates.find((c) => c.type === t)).find(Boolean) ?? candidates[0];
  if (!chosen) {
    const message = 'MRG-1 (prior patient identifier list) has no medical record number';
    errors.push({ ...at, code: HL7_ERROR.requiredFieldMissing, message });
    return {};
  }
  return { mrn: { institution, value: chosen.value } };
}

/** Whether MRG-1 names a medical record number other than the survivor's. */
function hasOtherMrn(mrg: Ref, survivor: RecordIdentifiers): boolean {
  const quiet: Hl7Error[] = [];
  const prior = priorMrn(mrg, survivor.mrn?.institution ?? '', quiet);
  return quiet.length === 0 && !!prior.mrn && prior.mrn.value !== survivor.mrn?.value;
}

function missing(segment: string, sequence: number, message: string): Hl7Error {
  return { segment, sequence, code: HL7_ERROR.segmentSequence, message };
}

/** Maps an ADT message of one of PATIENT_ADT_TYPES. `institution`: from the MLLP port. */
export function mapAdtIdentity(message: Hl7Message, type: string, institution: string): AdtMapping {
  const errors: Hl7Error[] = [];
  const pids = refs(message, 'PID');
  const requests: LocatedRequest[] = [];
  if (pids.length === 0) return { ok: false, errors: [missing('PID', 1, `${type} needs a PID segment`)] };
  const trigger = type.slice(4);
  if (MERGES.includes(trigger) || ACCOUNT_MERGES.includes(trigger)) {
    const accounts = ACCOUNT_MERGES.includes(trigger);
    for (const pid of pids) {
      const next = message.segments.indexOf(pid.segment) + 1;
      const after = message.segments.slice(next).find((s) => s.name === 'MRG' || s.name === 'PID');
      const mrg = refs(message, 'MRG').find((m) => m.segment === after);
      if (!mrg) {
        errors.push(missing('MRG', pid.sequence, `${type} needs an MRG segment after PID ${pid.sequence}`));
        continue;
      }
      const survivor = readPid(pid, institution, errors);
      // an account or visit merge of one record: nothing of the patient's identity changes
      if (accounts && !hasOtherMrn(mrg, survivor.record)) continue;
      const prior = priorMrn(mrg, institution, errors);
      const at = { segment: 'MRG', sequence: mrg.sequence, field: 1 };
      requests.push({
        request: { kind: 'merge', survivor: survivor.record, prior },
        record: survivor.at,
        prior: at,
      });
    }
  } else if (type === 'ADT^A37') {
    const [first, second] = pids;
    if (!first || !second)
      return { ok: false, errors: [missing('PID', 2, 'ADT^A37 names two patients: two PID segments')] };
    const survivor = readPid(first, institution, errors);
    const prior = readPid(second, institution, errors);
    const request: IdentityRequest = { kind: 'separate', survivor: survivor.record, prior: prior.record };
    requests.push({ request, record: survivor.at, prior: prior.at });
  } else {
    const patient = readPid(pids[0]!, institution, errors);
    const request: IdentityRequest = {
      kind: 'update',
      record: patient.record,
      demographics: patient.demographics,
    };
    requests.push({ request, record: patient.at });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, requests };
}
