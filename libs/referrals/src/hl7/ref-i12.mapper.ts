/**
 * REF^I12 (patient referral) → what a RequestReferral needs, as HIS systems send it:
 *
 * | what                      | where                                                          |
 * | the sender's referral no. | RF1-6 (originating referral identifier), else RF1-11           |
 * | priority                  | RF1-2: S stat, A asap, U / 紧急 urgent, R / empty routine        |
 * | direction (optional)      | RF1-3 local codes UP / 上转, DOWN / 下转; else from the levels   |
 * | receiver, department      | PRD with PRD-1 RT: PRD-7.1, else PRD-4.4 (facility); PRD-4.1     |
 * | sender (checked)          | PRD with PRD-1 RP: must be the institution of the MLLP port    |
 * | patient                   | PID-3 (resident ID number, MRN), as for ORU^R01               |
 * | reason                    | DG1-3 (code^text^system), else DG1-4                           |
 * | results, documents        | OBR-3 (else OBR-2) = the sender's accession: DiagnosticReport |
 * |                           | of that report; OBR-4 LOINC 18842-5 discharge summary,         |
 * |                           | 18776-5 plan of treatment: documents (DocumentReference)       |
 *
 * Every problem is an Hl7Error located as ERR-2 locates it; messages never repeat an identifier.
 */
import type { Hl7Message, Hl7Segment } from '@medplum/core';
import { codingSystemUri, HL7_ERROR, type Hl7Error } from '@yilian/hl7v2';
import { labReportId } from '@yilian/results';
import type { fhir4 } from '@yilian/contracts';
import {
  INSTITUTION_CODE_PATTERN,
  type ReferralDirection,
  type ReferralDocument,
  type ReferralPriority,
} from '../contracts';
import { mapPatientIdentifiers, textComponent, textSubcomponent } from './hl7v2-internals';

export interface RefI12Draft {
  readonly sourceId: string;
  readonly receiver: string;
  readonly direction?: ReferralDirection;
  readonly priority: ReferralPriority;
  readonly reasonCode: fhir4.CodeableConcept[];
  readonly supportingInfo: string[];
  readonly documents: ReferralDocument[];
  readonly department?: string;
  readonly patient: { readonly residentId?: string; readonly mrn?: string };
}

export type RefI12Mapping =
  { readonly ok: true; readonly draft: RefI12Draft } | { readonly ok: false; readonly errors: Hl7Error[] };

interface Located {
  readonly segment: Hl7Segment;
  readonly sequence: number;
}

const PRIORITIES: Readonly<Record<string, ReferralPriority>> = {
  S: 'stat',
  STAT: 'stat',
  A: 'asap',
  ASAP: 'asap',
  U: 'urgent',
  URGENT: 'urgent',
  紧急: 'urgent',
  R: 'routine',
  ROUTINE: 'routine',
  常规: 'routine',
};
const DIRECTIONS: Readonly<Record<string, ReferralDirection>> = {
  UP: 'upward',
  上转: 'upward',
  DOWN: 'downward',
  下转: 'downward',
};
const DOCUMENT_CODES: Readonly<Record<string, ReferralDocument['kind']>> = {
  '18842-5': 'discharge-summary',
  '18776-5': 'follow-up-plan',
};

function segments(message: Hl7Message, name: string): Located[] {
  return message.segments.filter((s) => s.name === name).map((segment, i) => ({ segment, sequence: i + 1 }));
}

function prdInstitution(prd: Hl7Segment): { code: string; field: number } | undefined {
  const id = textComponent(prd, 7, 1);
  if (id) return { code: id, field: 7 };
  const facility = textSubcomponent(prd, 4, 4, 1);
  return facility ? { code: facility, field: 4 } : undefined;
}

export function mapRefI12(message: Hl7Message, context: { readonly institution: string }): RefI12Mapping {
  const errors: Hl7Error[] = [];
  const fail = (at: Omit<Hl7Error, 'code' | 'message'>, code: number, message: string) =>
    errors.push({ ...at, code, message });
  const rf1 = segments(message, 'RF1')[0];
  if (!rf1)
    fail(
      { segment: 'RF1' },
      HL7_ERROR.requiredFieldMissing,
      'RF1 is missing: it carries the referral number',
    );
  const rf = rf1?.segment;
  const sourceId = rf ? textComponent(rf, 6, 1) || textComponent(rf, 11, 1) : '';
  if (rf && !sourceId) {
    fail(
      { segment: 'RF1', sequence: 1, field: 6 },
      HL7_ERROR.requiredFieldMissing,
      'RF1-6 (referral number) is empty',
    );
  }
  const priorityCode = rf ? textComponent(rf, 2, 1).toUpperCase() : '';
  const priority = priorityCode === '' ? 'routine' : PRIORITIES[priorityCode];
  if (!priority) {
    const message = `RF1-2 priority ${priorityCode.slice(0, 10)} is not S, A, U or R`;
    fail({ segment: 'RF1', sequence: 1, field: 2 }, HL7_ERROR.tableValueNotFound, message);
  }
  const direction = rf ? DIRECTIONS[textComponent(rf, 3, 1).toUpperCase()] : undefined;

  const providers = mapProviders(message, context.institution, fail);
  const pid = segments(message, 'PID')[0];
  if (!pid)
    fail({ segment: 'PID' }, HL7_ERROR.requiredFieldMissing, 'PID is missing: the referral names no patient');
  const identifiers = pid ? mapPatientIdentifiers(pid, context.institution, errors) : undefined;
  const reasonCode = mapReasons(message, context.institution, fail);
  const { supportingInfo, documents } = mapOrders(message, context.institution, fail);

  if (errors.length > 0 || !providers.receiver || !priority || !identifiers) return { ok: false, errors };
  return {
    ok: true,
    draft: {
      sourceId,
      receiver: providers.receiver,
      ...(direction ? { direction } : {}),
      priority,
      reasonCode,
      supportingInfo,
      documents,
      ...(providers.department ? { department: providers.department } : {}),
      patient: {
        ...(identifiers.residentId ? { residentId: identifiers.residentId } : {}),
        ...(identifiers.mrn ? { mrn: identifiers.mrn.value } : {}),
      },
    },
  };
}

type Fail = (at: Omit<Hl7Error, 'code' | 'message'>, code: number, message: string) => void;

function mapProviders(message: Hl7Message, institution: string, fail: Fail) {
  let receiver: string | undefined;
  let department: string | undefined;
  for (const { segment, sequence } of segments(message, 'PRD')) {
    const role = textComponent(segment, 1, 1).toUpperCase();
    const org = prdInstitution(segment);
    const at = { segment: 'PRD', sequence, field: org?.field ?? 7, component: org?.field === 4 ? 4 : 1 };
    if (org && !INSTITUTION_CODE_PATTERN.test(org.code)) {
      fail(at, HL7_ERROR.dataType, `PRD-${at.field} is not an institution code`);
      continue;
    }
    if (role === 'RP' && org && org.code !== institution) {
      fail(
        at,
        204,
        `the referring institution ${org.code} is not ${institution}, the institution of this connection`,
      );
    } else if (role === 'RT' && receiver === undefined) {
      if (!org)
        fail(
          at,
          HL7_ERROR.requiredFieldMissing,
          'the referred-to PRD names no institution (PRD-7 or PRD-4.4)',
        );
      receiver = org?.code;
      department = textComponent(segment, 4, 1) || undefined;
    }
  }
  if (
    receiver === undefined &&
    !segments(message, 'PRD').some((p) => textComponent(p.segment, 1, 1).toUpperCase() === 'RT')
  ) {
    fail(
      { segment: 'PRD', field: 1 },
      HL7_ERROR.requiredFieldMissing,
      'no PRD with PRD-1 RT (referred-to provider)',
    );
  }
  return { receiver, department };
}

function mapReasons(message: Hl7Message, institution: string, fail: Fail): fhir4.CodeableConcept[] {
  const reasons = segments(message, 'DG1').flatMap(({ segment }) => {
    const code = textComponent(segment, 3, 1);
    const display = textComponent(segment, 3, 2) || textComponent(segment, 4, 1);
    const system = textComponent(segment, 3, 3).replace(/^ICD-?10$/i, 'I10');
    if (!code && !display) return [];
    const coding = code
      ? [{ system: codingSystemUri(system, institution), code, ...(display ? { display } : {}) }]
      : [];
    return [{ ...(coding.length > 0 ? { coding } : {}), ...(display ? { text: display } : {}) }];
  });
  if (reasons.length === 0)
    fail(
      { segment: 'DG1', field: 3 },
      HL7_ERROR.requiredFieldMissing,
      'the referral gives no reason: DG1-3 (diagnosis)',
    );
  return reasons;
}

/** A document by its LOINC code in OBR-4, primary (1-3) or alternate (4-6) triplet. */
function documentKind(obr: Hl7Segment): ReferralDocument['kind'] | undefined {
  for (const first of [1, 4]) {
    if (textComponent(obr, 4, first + 2).toUpperCase() !== 'LN') continue;
    const kind = DOCUMENT_CODES[textComponent(obr, 4, first)];
    if (kind) return kind;
  }
  return undefined;
}

function mapOrders(message: Hl7Message, institution: string, fail: Fail) {
  const supportingInfo: string[] = [];
  const documents: ReferralDocument[] = [];
  for (const { segment, sequence } of segments(message, 'OBR')) {
    const accession = textComponent(segment, 3, 1) || textComponent(segment, 2, 1);
    if (!accession) {
      fail(
        { segment: 'OBR', sequence, field: 3 },
        HL7_ERROR.requiredFieldMissing,
        'OBR-3 and OBR-2 are empty: which report?',
      );
      continue;
    }
    const id = labReportId(institution, accession);
    const kind = documentKind(segment);
    if (kind) {
      const title = textComponent(segment, 4, 2);
      documents.push({ kind, reference: `DocumentReference/${id}`, ...(title ? { title } : {}) });
    } else {
      supportingInfo.push(`DiagnosticReport/${id}`);
    }
  }
  return { supportingInfo, documents };
}
