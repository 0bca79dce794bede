/**
 * The referral board (转诊看板): one row per referral, what an institution's inbox (received)
 * and outbox (sent) show. `evolveReferralBoard` is pure; referral-board.sql.ts holds its table
 * and the statements a projector runs.
 */
import {
  DOWNWARD_REFERRAL_ACKNOWLEDGED,
  REFERRAL_ACCEPTED,
  REFERRAL_ARRIVED,
  REFERRAL_CANCELLED,
  REFERRAL_COMPLETED,
  REFERRAL_EVENT_TYPES,
  REFERRAL_EXPIRED,
  REFERRAL_MODIFIED,
  REFERRAL_REJECTED,
  REFERRAL_REQUESTED,
  REFERRAL_SCHEDULED,
  type ReasonCode,
  type ReferralDirection,
  type ReferralEvent,
  type ReferralEventType,
  type ReferralPriority,
  type RejectionReasonCode,
  type ScheduleKind,
} from './contracts';
import type { ReferralStatus } from './referral.state';

export interface ReferralBoardRow {
  readonly referralId: string;
  readonly allianceId: string;
  readonly direction: ReferralDirection;
  readonly sender: string;
  readonly receiver: string;
  readonly patientKey: string;
  readonly status: ReferralStatus;
  readonly priority: ReferralPriority;
  /** The first reason, as text: CodeableConcept.text, else the display or code of its coding. */
  readonly reason: string | null;
  readonly requestedAt: string;
  readonly deadline: string;
  readonly acceptedAt: string | null;
  readonly scheduleKind: ScheduleKind | null;
  readonly bookedFor: string | null;
  /** Booked through the three-priorities (三优先) channel. */
  readonly priorityChannel: boolean;
  readonly arrivedAt: string | null;
  /** When it reached a terminal status: completed, rejected, cancelled or expired. */
  readonly closedAt: string | null;
  readonly rejectionCode: RejectionReasonCode | null;
  readonly rejectionText: string | null;
  readonly acknowledgedAt: string | null;
  readonly updatedAt: string;
}

export const REFERRAL_BOARD_EVENT_TYPES: readonly ReferralEventType[] = REFERRAL_EVENT_TYPES;

export function canHandleReferralBoard(event: { readonly type: string }): boolean {
  return (REFERRAL_BOARD_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** From which statuses each event moves the row; the same table as the aggregate's, so a row
 * never goes back (an event out of place changes nothing). */
const FROM: Readonly<Record<Exclude<ReferralEventType, 'ReferralRequested'>, readonly ReferralStatus[]>> = {
  [REFERRAL_ACCEPTED]: ['requested'],
  [REFERRAL_REJECTED]: ['requested'],
  [REFERRAL_SCHEDULED]: ['accepted', 'scheduled'],
  [REFERRAL_ARRIVED]: ['accepted', 'scheduled'],
  [REFERRAL_COMPLETED]: ['arrived'],
  [REFERRAL_CANCELLED]: ['requested', 'accepted', 'scheduled'],
  [REFERRAL_EXPIRED]: ['requested'],
  [DOWNWARD_REFERRAL_ACKNOWLEDGED]: ['accepted', 'scheduled', 'arrived'],
  [REFERRAL_MODIFIED]: ['requested', 'accepted', 'scheduled', 'arrived'],
};

function reasonText(reasonCode: readonly ReasonCode[]): string | null {
  const first = reasonCode[0];
  return first?.text ?? first?.coding?.[0]?.display ?? first?.coding?.[0]?.code ?? null;
}

export function evolveReferralBoard(
  row: ReferralBoardRow | null,
  event: ReferralEvent,
): ReferralBoardRow | null {
  if (event.type === REFERRAL_REQUESTED) {
    if (row) return row;
    const d = event.data;
    return {
      referralId: d.referralId,
      allianceId: d.allianceId,
      direction: d.direction,
      sender: d.sender,
      receiver: d.receiver,
      patientKey: d.patientKey,
      status: 'requested',
      priority: d.priority,
      reason: reasonText(d.reasonCode),
      requestedAt: d.requestedAt,
      deadline: d.deadline,
      acceptedAt: null,
      scheduleKind: null,
      bookedFor: null,
      priorityChannel: false,
      arrivedAt: null,
      closedAt: null,
      rejectionCode: null,
      rejectionText: null,
      acknowledgedAt: null,
      updatedAt: d.requestedAt,
    };
  }
  if (!row || !FROM[event.type].includes(row.status)) return row;
  switch (event.type) {
    case REFERRAL_ACCEPTED:
      return {
        ...row,
        status: 'accepted',
        acceptedAt: event.data.acceptedAt,
        updatedAt: event.data.acceptedAt,
      };
    case REFERRAL_REJECTED: {
      const { rejectedAt, reason } = event.data;
      const rejection = { rejectionCode: reason.code, rejectionText: reason.text ?? null };
      return { ...row, status: 'rejected', ...rejection, closedAt: rejectedAt, updatedAt: rejectedAt };
    }
    case REFERRAL_SCHEDULED: {
      const { kind, bookedFor, priorityChannel, scheduledAt } = event.data;
      return {
        ...row,
        status: 'scheduled',
        scheduleKind: kind,
        bookedFor,
        priorityChannel,
        updatedAt: scheduledAt,
      };
    }
    case REFERRAL_ARRIVED:
      return { ...row, status: 'arrived', arrivedAt: event.data.arrivedAt, updatedAt: event.data.arrivedAt };
    case REFERRAL_COMPLETED: {
      const { completedAt } = event.data;
      return { ...row, status: 'completed', closedAt: completedAt, updatedAt: completedAt };
    }
    case REFERRAL_CANCELLED: {
      const { cancelledAt } = event.data;
      return { ...row, status: 'cancelled', closedAt: cancelledAt, updatedAt: cancelledAt };
    }
    case REFERRAL_EXPIRED: {
      const { expiredAt } = event.data;
      return { ...row, status: 'expired', closedAt: expiredAt, updatedAt: expiredAt };
    }
    case DOWNWARD_REFERRAL_ACKNOWLEDGED: {
      const { acknowledgedAt } = event.data;
      return { ...row, acknowledgedAt, updatedAt: acknowledgedAt };
    }
    case REFERRAL_MODIFIED: {
      const { priority, reasonCode, modifiedAt } = event.data;
      return { ...row, priority, reason: reasonText(reasonCode), updatedAt: modifiedAt };
    }
    default:
      return ignoreUnknown(event, row);
  }
}

function ignoreUnknown(_event: never, row: ReferralBoardRow): ReferralBoardRow {
  return row;
}
