import {
  DOWNWARD_REFERRAL_ACKNOWLEDGED,
  parseReferralEvent,
  REFERRAL_ACCEPTED,
  REFERRAL_ARRIVED,
  REFERRAL_CANCELLED,
  REFERRAL_COMPLETED,
  REFERRAL_EXPIRED,
  REFERRAL_MODIFIED,
  REFERRAL_REJECTED,
  REFERRAL_REQUESTED,
  REFERRAL_SCHEDULED,
  type ReferralEvent,
  type ReferralRequestedV1,
  type ReferralScheduledV1,
  type RejectionReason,
} from './contracts';

export type ReferralSchedule = Omit<ReferralScheduledV1, 'referralId' | 'receiver'>;

/** What every existing referral knows: the request as made, and what happened since. */
interface ReferralProgress {
  readonly request: ReferralRequestedV1;
  readonly acceptedAt?: string;
  /** The department that took the patient on, as named on acceptance. */
  readonly department?: string;
  readonly schedule?: ReferralSchedule;
  readonly arrivedAt?: string;
  /** Downward only: when the community centre acknowledged the summary and plan. */
  readonly acknowledgedAt?: string;
}

export type ReferralState =
  | { readonly status: 'none' }
  | (ReferralProgress & { readonly status: 'requested' })
  | (ReferralProgress & { readonly status: 'accepted'; readonly acceptedAt: string })
  | (ReferralProgress & {
      readonly status: 'scheduled';
      readonly acceptedAt: string;
      readonly schedule: ReferralSchedule;
    })
  | (ReferralProgress & {
      readonly status: 'arrived';
      readonly acceptedAt: string;
      readonly arrivedAt: string;
    })
  | (ReferralProgress & {
      readonly status: 'completed';
      readonly acceptedAt: string;
      readonly arrivedAt: string;
      readonly completedAt: string;
    })
  | (ReferralProgress & {
      readonly status: 'rejected';
      readonly rejectedAt: string;
      readonly rejection: RejectionReason;
    })
  | (ReferralProgress & {
      readonly status: 'cancelled';
      readonly cancelledAt: string;
      readonly cancelReason?: string;
    })
  | (ReferralProgress & { readonly status: 'expired'; readonly expiredAt: string });

export type ExistingReferral = Exclude<ReferralState, { status: 'none' }>;
export type ReferralStatus = ExistingReferral['status'];

/** No command moves a referral out of these. */
export const TERMINAL_STATUSES: readonly ReferralStatus[] = ['completed', 'rejected', 'cancelled', 'expired'];

export function isTerminal(state: ReferralState): boolean {
  return state.status !== 'none' && TERMINAL_STATUSES.includes(state.status);
}

export function initialReferralState(): ReferralState {
  return { status: 'none' };
}

/** Total: an event that does not fit the state (the decider never produces one) changes nothing,
 * so replaying any history never throws. */
export function evolveReferral(state: ReferralState, event: ReferralEvent): ReferralState {
  if (event.type === REFERRAL_REQUESTED)
    return state.status === 'none' ? { status: 'requested', request: event.data } : state;
  if (state.status === 'none') return state;
  switch (event.type) {
    case REFERRAL_ACCEPTED: {
      if (state.status !== 'requested') return state;
      const { acceptedAt, department } = event.data;
      return {
        ...state,
        status: 'accepted',
        acceptedAt,
        ...(department !== undefined ? { department } : {}),
      };
    }
    case REFERRAL_REJECTED:
      if (state.status !== 'requested') return state;
      return {
        ...state,
        status: 'rejected',
        rejectedAt: event.data.rejectedAt,
        rejection: event.data.reason,
      };
    case REFERRAL_SCHEDULED: {
      if (state.status !== 'accepted' && state.status !== 'scheduled') return state;
      const { referralId: _id, receiver: _receiver, ...schedule } = event.data;
      return { ...state, status: 'scheduled', schedule };
    }
    case REFERRAL_ARRIVED:
      if (state.status !== 'accepted' && state.status !== 'scheduled') return state;
      return { ...state, status: 'arrived', arrivedAt: event.data.arrivedAt };
    case REFERRAL_COMPLETED:
      if (state.status !== 'arrived') return state;
      return { ...state, status: 'completed', completedAt: event.data.completedAt };
    case REFERRAL_CANCELLED: {
      if (state.status !== 'requested' && state.status !== 'accepted' && state.status !== 'scheduled')
        return state;
      const { cancelledAt, reason } = event.data;
      return {
        ...state,
        status: 'cancelled',
        cancelledAt,
        ...(reason !== undefined ? { cancelReason: reason } : {}),
      };
    }
    case REFERRAL_EXPIRED:
      if (state.status !== 'requested') return state;
      return { ...state, status: 'expired', expiredAt: event.data.expiredAt };
    case DOWNWARD_REFERRAL_ACKNOWLEDGED:
      return { ...state, acknowledgedAt: event.data.acknowledgedAt };
    case REFERRAL_MODIFIED: {
      if (isTerminal(state)) return state;
      const { priority, reasonCode, supportingInfo, documents, department } = event.data;
      const { department: _previous, ...request } = state.request;
      const changed = { ...request, priority, reasonCode, supportingInfo, documents };
      return { ...state, request: department !== undefined ? { ...changed, department } : changed };
    }
    default:
      return ignoreUnknown(event, state);
  }
}

/** Exhaustive at compile time; at run time an unknown event leaves the state as it was. */
function ignoreUnknown(_event: never, state: ReferralState): ReferralState {
  return state;
}

/** The state of a referral from its recorded stream (envelopes as the store returns them). A
 * recorded event that is not a valid referral event means a corrupt stream: it throws. */
export function referralStateFrom(
  recorded: readonly { readonly type: string; readonly schemaVersion: number; readonly data: unknown }[],
): ReferralState {
  return recorded.reduce((state, envelope) => {
    const parsed = parseReferralEvent(envelope);
    if (!parsed.ok)
      throw new Error(`referral stream holds an invalid ${envelope.type}: ${parsed.problems.join('; ')}`);
    return evolveReferral(state, parsed.event);
  }, initialReferralState());
}
