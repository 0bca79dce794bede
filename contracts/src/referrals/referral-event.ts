/**
 * The referral events as the deciders produce them (`{type, data}`) and as consumers read them
 * back from recorded envelopes: every type, its schema version, and a parser that checks the
 * data against the event's schema.
 */
import type { DataCheck } from './schema';
import {
  checkDownwardReferralAcknowledgedV1,
  DOWNWARD_REFERRAL_ACKNOWLEDGED,
  type DownwardReferralAcknowledgedV1,
} from './downward-referral-acknowledged.v1';
import { checkReferralAcceptedV1, REFERRAL_ACCEPTED, type ReferralAcceptedV1 } from './referral-accepted.v1';
import { checkReferralArrivedV1, REFERRAL_ARRIVED, type ReferralArrivedV1 } from './referral-arrived.v1';
import {
  checkReferralCancelledV1,
  REFERRAL_CANCELLED,
  type ReferralCancelledV1,
} from './referral-cancelled.v1';
import {
  checkReferralCompletedV1,
  REFERRAL_COMPLETED,
  type ReferralCompletedV1,
} from './referral-completed.v1';
import { checkReferralModifiedV1, REFERRAL_MODIFIED, type ReferralModifiedV1 } from './referral-modified.v1';
import { checkReferralExpiredV1, REFERRAL_EXPIRED, type ReferralExpiredV1 } from './referral-expired.v1';
import { checkReferralRejectedV1, REFERRAL_REJECTED, type ReferralRejectedV1 } from './referral-rejected.v1';
import {
  checkReferralRequestedV1,
  REFERRAL_REQUESTED,
  type ReferralRequestedV1,
} from './referral-requested.v1';
import {
  checkReferralScheduledV1,
  REFERRAL_SCHEDULED,
  type ReferralScheduledV1,
} from './referral-scheduled.v1';

export type ReferralEvent =
  | { readonly type: typeof REFERRAL_REQUESTED; readonly data: ReferralRequestedV1 }
  | { readonly type: typeof REFERRAL_ACCEPTED; readonly data: ReferralAcceptedV1 }
  | { readonly type: typeof REFERRAL_REJECTED; readonly data: ReferralRejectedV1 }
  | { readonly type: typeof REFERRAL_SCHEDULED; readonly data: ReferralScheduledV1 }
  | { readonly type: typeof REFERRAL_ARRIVED; readonly data: ReferralArrivedV1 }
  | { readonly type: typeof REFERRAL_COMPLETED; readonly data: ReferralCompletedV1 }
  | { readonly type: typeof REFERRAL_CANCELLED; readonly data: ReferralCancelledV1 }
  | { readonly type: typeof REFERRAL_MODIFIED; readonly data: ReferralModifiedV1 }
  | { readonly type: typeof REFERRAL_EXPIRED; readonly data: ReferralExpiredV1 }
  | { readonly type: typeof DOWNWARD_REFERRAL_ACKNOWLEDGED; readonly data: DownwardReferralAcknowledgedV1 };

export type ReferralEventType = ReferralEvent['type'];

/** Every referral event is at schema version 1; the envelope's `schemaVersion`. */
export const REFERRAL_EVENT_SCHEMA_VERSION = 1;

const CHECKS: { readonly [T in ReferralEventType]: DataCheck } = {
  [REFERRAL_REQUESTED]: checkReferralRequestedV1,
  [REFERRAL_ACCEPTED]: checkReferralAcceptedV1,
  [REFERRAL_REJECTED]: checkReferralRejectedV1,
  [REFERRAL_SCHEDULED]: checkReferralScheduledV1,
  [REFERRAL_ARRIVED]: checkReferralArrivedV1,
  [REFERRAL_COMPLETED]: checkReferralCompletedV1,
  [REFERRAL_CANCELLED]: checkReferralCancelledV1,
  [REFERRAL_MODIFIED]: checkReferralModifiedV1,
  [REFERRAL_EXPIRED]: checkReferralExpiredV1,
  [DOWNWARD_REFERRAL_ACKNOWLEDGED]: checkDownwardReferralAcknowledgedV1,
};

export const REFERRAL_EVENT_TYPES = Object.keys(CHECKS) as readonly ReferralEventType[];

export function isReferralEventType(type: string): type is ReferralEventType {
  return Object.hasOwn(CHECKS, type);
}

export type ParsedReferralEvent =
  | { readonly ok: true; readonly event: ReferralEvent }
  | { readonly ok: false; readonly problems: readonly string[] };

/** Reads a recorded (or Kafka) event back as a ReferralEvent, checking type, version and data. */
export function parseReferralEvent(event: {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
}): ParsedReferralEvent {
  if (!isReferralEventType(event.type))
    return { ok: false, problems: [`type: not a referral event: ${event.type}`] };
  if (event.schemaVersion !== REFERRAL_EVENT_SCHEMA_VERSION)
    return { ok: false, problems: [`schemaVersion: ${event.type} has no version ${event.schemaVersion}`] };
  const problems = CHECKS[event.type](event.data, 'data');
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, event: { type: event.type, data: event.data } as ReferralEvent };
}
