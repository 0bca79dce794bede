/**
 * Vocabulary shared by the referral events (双向转诊): directions, priorities, the patient key,
 * references to results and documents, rejection reasons and the kinds of booking.
 */
import type { fhir4 } from '../fhir';
import { arrayOf, isObject, object, oneOf, optional, text, type DataCheck } from './schema';

/** `referral-{referralId}`: one stream per referral. */
export function referralStream(referralId: string): string {
  return `referral-${referralId}`;
}

/** 上转 (to a higher level) or 下转 (to a lower level, with discharge summary and plan). */
export const REFERRAL_DIRECTIONS = ['upward', 'downward'] as const;
export type ReferralDirection = (typeof REFERRAL_DIRECTIONS)[number];

/** FHIR request-priority, as the sender set it on the ServiceRequest. */
export const REFERRAL_PRIORITIES = ['routine', 'urgent', 'asap', 'stat'] as const;
export type ReferralPriority = (typeof REFERRAL_PRIORITIES)[number];

/** What the receiver booked; each has its "three priorities" (三优先) channel: priority
 * specialist appointment, priority examination, priority admission. */
export const SCHEDULE_KINDS = ['appointment', 'examination', 'admission'] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

/** Why a receiver declined. `other` needs a text. */
export const REJECTION_REASONS = [
  'no-capacity', // 无床位 / 无号源
  'beyond-capability', // 超出本机构诊疗能力
  'not-indicated', // 不符合转诊指征
  'incomplete-information', // 资料不全
  'patient-declined', // 患者拒绝
  'wrong-receiver', // 应转往其他机构或科室
  'other',
] as const;
export type RejectionReasonCode = (typeof REJECTION_REASONS)[number];

/** Free text on a rejection or cancellation: ≤200 characters, as the provincial systems cap it. */
export const REASON_TEXT_MAX = 200;

export interface RejectionReason {
  readonly code: RejectionReasonCode;
  readonly text?: string;
}

export const checkRejectionReason: DataCheck = (value, path) => {
  const problems = object<RejectionReason>({
    code: oneOf(REJECTION_REASONS),
    text: optional(text({ max: REASON_TEXT_MAX })),
  })(value, path);
  if (problems.length === 0 && isObject(value) && value['code'] === 'other' && value['text'] === undefined)
    return [`${path}.text: required when the code is "other"`];
  return problems;
};

/** The patient key: `pk_` + 26 lower-case base32 characters of a keyed hash (HMAC-SHA256) of
 * the patient's identifiers, as libs/patients derives it. Never a name, an ID or phone number. */
export const PATIENT_KEY_PATTERN = /^pk_[a-z2-7]{26}$/;

export function isPatientKey(value: unknown): value is string {
  return typeof value === 'string' && PATIENT_KEY_PATTERN.test(value);
}

export const checkPatientKey: DataCheck = (value, path) =>
  isPatientKey(value) ? [] : [`${path}: expected a patient key (pk_ + 26 base32), never an identifier`];

/** A result sent with the referral, referenced and never copied: a FHIR relative reference
 * (`DiagnosticReport/lab-1`, `ImagingStudy/ct-9/_history/2`) or a stream (`labreport-H001-A17`). */
export function isResultReference(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    (/^[A-Z][A-Za-z]{1,63}\/[A-Za-z0-9\-.]{1,64}(\/_history\/[A-Za-z0-9\-.]{1,64})?$/.test(value) ||
      /^[a-z]+-[A-Za-z0-9._-]{1,200}$/.test(value))
  );
}

export const checkResultReference: DataCheck = (value, path) =>
  isResultReference(value) ? [] : [`${path}: expected "Type/id" or a stream name`];

/** A document travelling with a downward referral, by reference (DocumentReference, Binary,
 * Composition or an attachment URL); the content stays where it is. */
export const REFERRAL_DOCUMENT_KINDS = ['discharge-summary', 'follow-up-plan', 'other'] as const;
export type ReferralDocumentKind = (typeof REFERRAL_DOCUMENT_KINDS)[number];

export interface ReferralDocument {
  readonly kind: ReferralDocumentKind;
  readonly reference: string;
  readonly title?: string;
  readonly contentType?: string;
}

export const checkReferralDocument: DataCheck = object<ReferralDocument>({
  kind: oneOf(REFERRAL_DOCUMENT_KINDS),
  reference: text({ max: 2048 }),
  title: optional(text({ max: 200 })),
  contentType: optional(text({ max: 100 })),
});

/** The clinical reason as coded by the sender (FHIR CodeableConcept: codes or a text). */
export const checkReasonCode: DataCheck = (value, path) => {
  if (!isObject(value)) return [`${path}: expected a CodeableConcept`];
  const coding = value['coding'];
  const hasCode = Array.isArray(coding) && coding.some((c) => isObject(c) && typeof c['code'] === 'string');
  const hasText = typeof value['text'] === 'string' && value['text'].length > 0;
  return hasCode || hasText ? [] : [`${path}: needs a coding with a code, or a text`];
};

export const checkReasonCodes: DataCheck = arrayOf(checkReasonCode, { min: 1, max: 20 });
export type ReasonCode = fhir4.CodeableConcept;
