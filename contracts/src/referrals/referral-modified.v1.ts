import {
  checkReasonCodes,
  checkReferralDocument,
  checkResultReference,
  REFERRAL_PRIORITIES,
  type ReasonCode,
  type ReferralDocument,
  type ReferralPriority,
} from './referral';
import {
  arrayOf,
  guard,
  id,
  instant,
  institutionCode,
  object,
  oneOf,
  optional,
  text,
  type DataCheck,
} from './schema';

export const REFERRAL_MODIFIED = 'ReferralModified';

/** The sender changed an open referral (HL7 v2 REF^I13, 转诊申请修改): the request's changeable
 * parts as they now stand — priority, reasons, results and documents, department. Receiver,
 * direction, patient and deadline never change (cancel and refer again for that). */
export interface ReferralModifiedV1 {
  readonly referralId: string;
  readonly sender: string;
  readonly modifiedAt: string;
  readonly priority: ReferralPriority;
  readonly reasonCode: readonly ReasonCode[];
  readonly supportingInfo: readonly string[];
  readonly documents: readonly ReferralDocument[];
  readonly department?: string;
}

export const checkReferralModifiedV1: DataCheck = object<ReferralModifiedV1>({
  referralId: id,
  sender: institutionCode,
  modifiedAt: instant,
  priority: oneOf(REFERRAL_PRIORITIES),
  reasonCode: checkReasonCodes,
  supportingInfo: arrayOf(checkResultReference, { max: 200 }),
  documents: arrayOf(checkReferralDocument, { max: 50 }),
  department: optional(text({ max: 100 })),
});

export const isReferralModifiedV1 = guard<ReferralModifiedV1>(checkReferralModifiedV1);
