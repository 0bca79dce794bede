/**
 * PID → PatientIdentifiers. PID-3 often repeats, carrying the MRN and the resident ID number
 * (居民身份证号) side by side; which is which comes from, in order:
 * 1. the identifier type code (PID-3.5, table 0203 plus what Chinese LIS put there):
 *    resident ID: `NNCHN`, `NN`, `NI`, `ID`, `IDCARD`, `SFZ`, `01` (CV02.01.101 居民身份证);
 *    MRN: `MR` (preferred), then `PI`, `PT`, `PN`; other types (AN, VN, PPN …) are ignored;
 * 2. the assigning authority (PID-3.4): the OID 2.16.156.10011.1.3, or a name with 身份证;
 * 3. untyped identifiers: one that passes the GB 11643 check is the resident ID number,
 *    otherwise the first one is the MRN.
 * A resident ID number typed as such must pass the check (15-digit first-generation numbers
 * are converted to 18 first): otherwise 102, since linking a wrong number would merge people.
 * Error messages never repeat an identifier.
 */
import { parseResidentId, residentIdCheckCharacter } from '@yilian/patients';
import { HL7_ERROR, type Hl7Error } from './hl7-error';
import { componentsOf, repetitionCount, textComponent, textSubcomponent } from './hl7-fields';
import { parseHl7DateTime } from './hl7-datetime';
import type { PatientIdentifiers } from './lab-report-draft';
import type { SegmentRef } from './oru-r01.groups';

const RESIDENT_ID_TYPES: ReadonlySet<string> = new Set(['NNCHN', 'NN', 'NI', 'ID', 'IDCARD', 'SFZ', '01']);
const MRN_TYPES = ['MR', 'PI', 'PT', 'PN'] as const;
const IGNORED_TYPES: ReadonlySet<string> = new Set([
  'AN',
  'VN',
  'VS',
  'PPN',
  'DL',
  'BC',
  'SS',
  'EN',
  'PRN',
  'BR',
]);
const RESIDENT_ID_OID = '2.16.156.10011.1.3';
const FIFTEEN_DIGITS = /^\d{15}$/;
const CJK = /[\u3400-\u9fff]/;

const GENDER: Readonly<Record<string, PatientIdentifiers['gender']>> = {
  M: 'male',
  F: 'female',
  O: 'other',
  U: 'unknown',
  A: 'other',
  N: 'unknown',
  '1': 'male',
  '2': 'female',
  '0': 'unknown',
  '9': 'unknown',
  男: 'male',
  女: 'female',
  未知: 'unknown',
};

/** 15-digit first-generation numbers → 18 (century 19 inserted, check character added). */
function normaliseResidentId(value: string): string {
  const v = value.trim();
  if (!FIFTEEN_DIGITS.test(v)) return v;
  const first17 = `${v.slice(0, 6)}19${v.slice(6)}`;
  return first17 + residentIdCheckCharacter(first17);
}

function isResidentIdAuthority(namespace: string, universalId: string): boolean {
  return universalId === RESIDENT_ID_OID || namespace === RESIDENT_ID_OID || namespace.includes('身份证');
}

function readIdentifiers(
  pid: SegmentRef,
  institution: string,
  errors: Hl7Error[],
): Partial<PatientIdentifiers> {
  const at = { segment: 'PID', sequence: pid.sequence, field: 3 };
  const reps = repetitionCount(pid.segment, 3);
  const mrnByType = new Map<string, string>();
  let untypedMrn: string | undefined;
  let residentId: string | undefined;
  for (let r = 1; r <= reps; r++) {
    const value = textComponent(pid.segment, 3, 1, r);
    if (!value) continue;
    const type = textComponent(pid.segment, 3, 5, r).toUpperCase();
    const typedResident =
      RESIDENT_ID_TYPES.has(type) ||
      isResidentIdAuthority(
        textSubcomponent(pid.segment, 3, 4, 1, r),
        textSubcomponent(pid.segment, 3, 4, 2, r),
      );
    const check = typedResident || type === '' ? parseResidentId(normaliseResidentId(value)) : undefined;
    if (check && (typedResident || check.ok)) {
      if (!check.ok) {
        const message = `PID-3 repetition ${r} is typed as a resident ID number and fails the GB 11643 check: ${check.reason}`;
        errors.push({ ...at, repetition: r, component: 1, code: HL7_ERROR.dataType, message });
      } else if (residentId !== undefined && residentId !== check.value) {
        const message = `PID-3 repetition ${r} is a second, different resident ID number`;
        errors.push({ ...at, repetition: r, component: 1, code: HL7_ERROR.dataType, message });
      } else {
        residentId = check.value;
      }
    } else if ((MRN_TYPES as readonly string[]).includes(type)) {
      if (!mrnByType.has(type)) mrnByType.set(type, value);
    } else if (type === '' || !IGNORED_TYPES.has(type)) {
      untypedMrn ??= value;
    }
  }
  const mrn = MRN_TYPES.map((t) => mrnByType.get(t)).find((v) => v !== undefined) ?? untypedMrn;
  if (reps === 0) {
    errors.push({
      ...at,
      code: HL7_ERROR.requiredFieldMissing,
      message: 'PID-3 (patient identifier list) is empty',
    });
  } else if (mrn === undefined && residentId === undefined && !errors.some((e) => e.segment === 'PID')) {
    const message = 'PID-3 has neither a medical record number nor a resident ID number';
    errors.push({ ...at, component: 1, code: HL7_ERROR.requiredFieldMissing, message });
  }
  return {
    ...(mrn !== undefined ? { mrn: { institution, value: mrn } } : {}),
    ...(residentId ? { residentId } : {}),
  };
}

function readName(pid: SegmentRef): string | undefined {
  const reps = repetitionCount(pid.segment, 5);
  let chosen: string[] | undefined;
  for (let r = 1; r <= reps; r++) {
    const parts = componentsOf(pid.segment, 5, r);
    if (!parts[0] && !parts[1]) continue;
    if (!chosen || parts[6]?.toUpperCase() === 'L') chosen = parts;
    if (parts[6]?.toUpperCase() === 'L') break;
  }
  if (!chosen) return undefined;
  const family = (chosen[0] ?? '').split(pid.segment.context.subcomponentSeparator)[0]!.trim();
  const given = (chosen[1] ?? '').trim();
  if (CJK.test(family) || CJK.test(given)) return family + given;
  return [given, family].filter((s) => s).join(' ');
}

export function mapPatientIdentifiers(
  pid: SegmentRef,
  institution: string,
  errors: Hl7Error[],
): PatientIdentifiers {
  const at = { segment: 'PID', sequence: pid.sequence };
  const identifiers = readIdentifiers(pid, institution, errors);
  const name = readName(pid);
  const birth = textComponent(pid.segment, 7, 1);
  const birthDate = birth ? parseHl7DateTime(birth)?.date : undefined;
  if (birth && !birthDate) {
    errors.push({
      ...at,
      field: 7,
      code: HL7_ERROR.dataType,
      message: 'PID-7 (birth date) is not a date (YYYYMMDD)',
    });
  }
  const sex = textComponent(pid.segment, 8, 1);
  const gender = sex ? GENDER[sex.toUpperCase()] : undefined;
  if (sex && !gender) {
    const message = `PID-8 (sex) ${sex.slice(0, 10)} is not one of M, F, O, U, A, N (or GB/T 2261.1 0, 1, 2, 9)`;
    errors.push({ ...at, field: 8, code: HL7_ERROR.tableValueNotFound, message });
  }
  return {
    ...identifiers,
    ...(name ? { name } : {}),
    ...(birthDate ? { birthDate } : {}),
    ...(gender ? { gender } : {}),
  };
}
