/** The REF^I12 segments that repeat, read one by one: PRD (who refers to whom), DG1 (why), OBR
 * (which results and documents travel with the referral, by reference). */
import type { Hl7Message, Hl7Segment } from '@medplum/core';
import { type fhir4, INSTITUTION_CODE_PATTERN, type ReferralDocument } from '@yilian/contracts';
import { labReportId } from '@yilian/results';
import { codingSystemUri } from '../coding';
import { HL7_ERROR, type Hl7Error } from '../hl7-error';
import { textComponent, textSubcomponent } from '../hl7-fields';

export interface Located {
  readonly segment: Hl7Segment;
  readonly sequence: number;
}

const DOCUMENT_CODES: Readonly<Record<string, ReferralDocument['kind']>> = {
  '18842-5': 'discharge-summary',
  '18776-5': 'follow-up-plan',
};

export function segments(message: Hl7Message, name: string): Located[] {
  return message.segments.filter((s) => s.name === name).map((segment, i) => ({ segment, sequence: i + 1 }));
}

function prdInstitution(prd: Hl7Segment): { code: string; field: number } | undefined {
  const id = textComponent(prd, 7, 1);
  if (id) return { code: id, field: 7 };
  const facility = textSubcomponent(prd, 4, 4, 1);
  return facility ? { code: facility, field: 4 } : undefined;
}

export type Fail = (at: Omit<Hl7Error, 'code' | 'message'>, code: number, message: string) => void;

export function mapProviders(message: Hl7Message, institution: string, fail: Fail) {
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

export function mapReasons(message: Hl7Message, institution: string, fail: Fail): fhir4.CodeableConcept[] {
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

export function mapOrders(message: Hl7Message, institution: string, fail: Fail) {
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
