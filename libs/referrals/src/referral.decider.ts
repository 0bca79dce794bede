/**
 * The referral (双向转诊) decider: one function per command (RequestReferral and its own rules
 * in request-referral.ts), `decide` dispatching. Every command checks, in this order: the
 * referral exists → the actor is the right institution → the data fits its contract → a
 * repeat of what the current state already says yields nothing (a sender retrying under a new
 * message id) → the referral is still open (not terminal, not past its deadline unanswered) →
 * the transition is allowed. Rejections are thrown as ReferralRejection; nothing is recorded.
 */
import type * as commands from './referral.commands';
import { isBefore, sameInstant } from './instant';
import {
  byReceiver,
  bySender,
  existing,
  invalidTransition,
  notTerminal,
  ReferralRejection,
  stillOpen,
  validated,
} from './referral.rules';
import { requestReferral } from './request-referral';
import { evolveReferral, initialReferralState, type ReferralState } from './referral.state';
import * as c from './contracts';

type Events = c.ReferralEvent[];

export function acceptReferral(command: commands.AcceptReferral, state: ReferralState): Events {
  const referral = existing(state, command);
  byReceiver(referral, command.actor, command);
  const data = validated<c.ReferralAcceptedV1>(
    c.checkReferralAcceptedV1,
    {
      referralId: referral.request.referralId,
      receiver: command.actor,
      acceptedAt: command.now,
      ...(command.department !== undefined ? { department: command.department } : {}),
    },
    command,
  );
  if (referral.status === 'accepted' || referral.status === 'scheduled' || referral.status === 'arrived')
    return [];
  stillOpen(referral, command);
  return [{ type: c.REFERRAL_ACCEPTED, data }];
}

export function rejectReferral(command: commands.RejectReferral, state: ReferralState): Events {
  const referral = existing(state, command);
  byReceiver(referral, command.actor, command);
  const data = validated<c.ReferralRejectedV1>(
    c.checkReferralRejectedV1,
    {
      referralId: referral.request.referralId,
      receiver: command.actor,
      rejectedAt: command.now,
      reason: command.reason,
    },
    command,
  );
  if (referral.status === 'rejected' && referral.rejection.code === data.reason.code) return [];
  stillOpen(referral, command);
  if (referral.status !== 'requested')
    invalidTransition(referral, command, 'once accepted, only the sender cancels');
  return [{ type: c.REFERRAL_REJECTED, data }];
}

export function scheduleReferral(command: commands.ScheduleReferral, state: ReferralState): Events {
  const referral = existing(state, command);
  byReceiver(referral, command.actor, command);
  const data = validated<c.ReferralScheduledV1>(
    c.checkReferralScheduledV1,
    {
      referralId: referral.request.referralId,
      receiver: command.actor,
      kind: command.kind,
      bookedFor: command.bookedFor,
      priorityChannel: command.priorityChannel,
      department: command.department,
      scheduledAt: command.now,
    },
    command,
  );
  const booked = referral.status === 'scheduled' ? referral.schedule : undefined;
  const sameBooking =
    booked?.kind === data.kind &&
    sameInstant(booked.bookedFor, data.bookedFor) &&
    booked.priorityChannel === data.priorityChannel &&
    booked.department === data.department;
  if (sameBooking) return [];
  stillOpen(referral, command);
  if (referral.status === 'requested') invalidTransition(referral, command, 'accept it before booking');
  if (referral.status === 'arrived') invalidTransition(referral, command, 'the patient has already arrived');
  return [{ type: c.REFERRAL_SCHEDULED, data }];
}

/** Arrival needs acceptance, not a booking: a patient accepted without one may still arrive. */
export function recordArrival(command: commands.RecordArrival, state: ReferralState): Events {
  const referral = existing(state, command);
  byReceiver(referral, command.actor, command);
  const data = validated<c.ReferralArrivedV1>(
    c.checkReferralArrivedV1,
    {
      referralId: referral.request.referralId,
      receiver: command.actor,
      arrivedAt: command.now,
    },
    command,
  );
  if (referral.status === 'arrived') return [];
  stillOpen(referral, command);
  if (referral.status === 'requested')
    invalidTransition(referral, command, 'accept it before recording arrival');
  return [{ type: c.REFERRAL_ARRIVED, data }];
}

export function completeReferral(command: commands.CompleteReferral, state: ReferralState): Events {
  const referral = existing(state, command);
  byReceiver(referral, command.actor, command);
  const data = validated<c.ReferralCompletedV1>(
    c.checkReferralCompletedV1,
    {
      referralId: referral.request.referralId,
      receiver: command.actor,
      completedAt: command.now,
    },
    command,
  );
  if (referral.status === 'completed') return [];
  stillOpen(referral, command);
  if (referral.status !== 'arrived')
    invalidTransition(referral, command, 'it completes after the patient arrived');
  return [{ type: c.REFERRAL_COMPLETED, data }];
}

export function cancelReferral(command: commands.CancelReferral, state: ReferralState): Events {
  const referral = existing(state, command);
  bySender(referral, command.actor, command);
  const data = validated<c.ReferralCancelledV1>(
    c.checkReferralCancelledV1,
    {
      referralId: referral.request.referralId,
      sender: command.actor,
      cancelledAt: command.now,
      ...(command.reason !== undefined ? { reason: command.reason } : {}),
    },
    command,
  );
  if (referral.status === 'cancelled') return [];
  stillOpen(referral, command);
  if (referral.status === 'arrived')
    invalidTransition(referral, command, 'a referral is cancelled before arrival');
  return [{ type: c.REFERRAL_CANCELLED, data }];
}

/** The sender changes an open referral; the same content again is nothing (a resend). Only
 * what `ReferralModifiedV1` lists changes; after arrival nothing does. */
export function modifyReferral(command: commands.ModifyReferral, state: ReferralState): Events {
  const referral = existing(state, command);
  bySender(referral, command.actor, command);
  const data = validated<c.ReferralModifiedV1>(
    c.checkReferralModifiedV1,
    {
      referralId: referral.request.referralId,
      sender: command.actor,
      modifiedAt: command.now,
      priority: command.priority,
      reasonCode: command.reasonCode,
      supportingInfo: command.supportingInfo,
      documents: command.documents,
      ...(command.department !== undefined ? { department: command.department } : {}),
    },
    command,
  );
  const r = referral.request;
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  if (
    r.priority === data.priority &&
    same(r.reasonCode, data.reasonCode) &&
    same(r.supportingInfo, data.supportingInfo) &&
    same(r.documents, data.documents) &&
    same(r.department, data.department)
  )
    return [];
  notTerminal(referral, command);
  if (referral.status === 'arrived') invalidTransition(referral, command, 'the patient has already arrived');
  return [{ type: c.REFERRAL_MODIFIED, data }];
}

/** The scheduler's command: nothing before the deadline, nothing once answered. */
export function expireReferral(command: commands.ExpireReferral, state: ReferralState): Events {
  const referral = existing(state, command);
  const data = validated<c.ReferralExpiredV1>(
    c.checkReferralExpiredV1,
    {
      referralId: referral.request.referralId,
      deadline: referral.request.deadline,
      expiredAt: command.now,
    },
    command,
  );
  if (referral.status === 'expired') return [];
  notTerminal(referral, command);
  if (referral.status !== 'requested' || isBefore(command.now, data.deadline)) return [];
  return [{ type: c.REFERRAL_EXPIRED, data }];
}

export function acknowledgeDownwardReferral(
  command: commands.AcknowledgeDownwardReferral,
  state: ReferralState,
): Events {
  const referral = existing(state, command);
  byReceiver(referral, command.actor, command);
  const data = validated<c.DownwardReferralAcknowledgedV1>(
    c.checkDownwardReferralAcknowledgedV1,
    {
      referralId: referral.request.referralId,
      receiver: command.actor,
      acknowledgedAt: command.now,
      ...(command.note !== undefined ? { note: command.note } : {}),
    },
    command,
  );
  if (referral.request.direction !== 'downward') {
    invalidTransition(referral, command, 'only a downward referral is acknowledged');
  }
  notTerminal(referral, command);
  if (referral.acknowledgedAt !== undefined) return [];
  stillOpen(referral, command);
  if (referral.status === 'requested') invalidTransition(referral, command, 'accept it before acknowledging');
  return [{ type: c.DOWNWARD_REFERRAL_ACKNOWLEDGED, data }];
}

export function decideReferral(command: commands.ReferralCommand, state: ReferralState): Events {
  switch (command.type) {
    case 'RequestReferral':
      return requestReferral(command, state);
    case 'AcceptReferral':
      return acceptReferral(command, state);
    case 'RejectReferral':
      return rejectReferral(command, state);
    case 'ScheduleReferral':
      return scheduleReferral(command, state);
    case 'RecordArrival':
      return recordArrival(command, state);
    case 'CompleteReferral':
      return completeReferral(command, state);
    case 'CancelReferral':
      return cancelReferral(command, state);
    case 'ModifyReferral':
      return modifyReferral(command, state);
    case 'ExpireReferral':
      return expireReferral(command, state);
    case 'AcknowledgeDownwardReferral':
      return acknowledgeDownwardReferral(command, state);
    default: {
      const unknown: never = command;
      throw new ReferralRejection('validation', `unknown command ${JSON.stringify(unknown)}`);
    }
  }
}

export const referralDecider = {
  decide: decideReferral,
  evolve: evolveReferral,
  initialState: initialReferralState,
};
