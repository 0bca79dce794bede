/**
 * What member systems (and the hub's scheduler) ask of a referral. Every command carries `now`
 * (the handler's clock; decide reads none) and, except ExpireReferral, `actor`: the institution
 * taken from the credential, never from the message body.
 */
import type { ReferralAllianceFacts } from '@yilian/alliance';
import type { fhir4 } from '@yilian/contracts';
import type {
  ReasonCode,
  ReferralDirection,
  ReferralDocument,
  ReferralPriority,
  RejectionReason,
  ScheduleKind,
} from './contracts';

interface ReferralCommandBase {
  readonly referralId: string;
  readonly now: string;
}

interface ByInstitution extends ReferralCommandBase {
  readonly actor: string;
}

/** The sender (actor) asks the receiver to take the patient on. */
export interface RequestReferral extends ByInstitution {
  readonly type: 'RequestReferral';
  readonly receiver: string;
  readonly direction: ReferralDirection;
  readonly patientKey: string;
  readonly priority: ReferralPriority;
  readonly reasonCode: readonly ReasonCode[];
  readonly supportingInfo: readonly string[];
  readonly documents: readonly ReferralDocument[];
  readonly department?: string;
  readonly serviceRequest?: fhir4.ServiceRequest;
  /** From the alliance read side (`referralAllianceFacts`); undefined: no shared alliance. */
  readonly alliance: ReferralAllianceFacts | undefined;
}

export interface AcceptReferral extends ByInstitution {
  readonly type: 'AcceptReferral';
  readonly department?: string;
}

export interface RejectReferral extends ByInstitution {
  readonly type: 'RejectReferral';
  readonly reason: RejectionReason;
}

export interface ScheduleReferral extends ByInstitution {
  readonly type: 'ScheduleReferral';
  readonly kind: ScheduleKind;
  readonly bookedFor: string;
  readonly priorityChannel: boolean;
  readonly department: string;
}

export interface RecordArrival extends ByInstitution {
  readonly type: 'RecordArrival';
}

export interface CompleteReferral extends ByInstitution {
  readonly type: 'CompleteReferral';
}

/** The sender changes what it asks for (REF^I13): priority, reasons, results, documents,
 * department, as they now stand. */
export interface ModifyReferral extends ByInstitution {
  readonly type: 'ModifyReferral';
  readonly priority: ReferralPriority;
  readonly reasonCode: readonly ReasonCode[];
  readonly supportingInfo: readonly string[];
  readonly documents: readonly ReferralDocument[];
  readonly department?: string;
}

export interface CancelReferral extends ByInstitution {
  readonly type: 'CancelReferral';
  readonly reason?: string;
}

/** Sent by the hub's scheduler, by no institution. */
export interface ExpireReferral extends ReferralCommandBase {
  readonly type: 'ExpireReferral';
}

export interface AcknowledgeDownwardReferral extends ByInstitution {
  readonly type: 'AcknowledgeDownwardReferral';
  readonly note?: string;
}

export type ReferralCommand =
  | RequestReferral
  | AcceptReferral
  | RejectReferral
  | ScheduleReferral
  | RecordArrival
  | CompleteReferral
  | CancelReferral
  | ModifyReferral
  | ExpireReferral
  | AcknowledgeDownwardReferral;
