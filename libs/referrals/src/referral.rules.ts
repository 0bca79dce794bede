/** The rules every referral command shares, and the rejection they throw. */
import { compareLevels, type ReferralAllianceFacts } from '@yilian/alliance';
import type { ReferralCommand } from './referral.commands';
import { isTerminal, type ExistingReferral, type ReferralState } from './referral.state';
import { isBefore } from './instant';
import { isInstant, type DataCheck, type ReferralDirection, type ReferralDocument } from './contracts';

export type ReferralRejectionCode =
  | 'not-receiver'
  | 'not-sender'
  | 'terminal-state'
  | 'invalid-transition'
  | 'not-alliance-member'
  | 'not-found'
  | 'already-exists'
  | 'validation';

/** A command the referral rules refuse: thrown by the decider, nothing is recorded. Intake
 * answers it in the sender's protocol (OperationOutcome, ACK AE/AR). */
export class ReferralRejection extends Error {
  constructor(
    readonly code: ReferralRejectionCode,
    message: string,
  ) {
    super(message);
    this.name = 'ReferralRejection';
  }
}

/** The command's `now` is a real instant (everything after relies on it). */
export function validNow(command: ReferralCommand): void {
  if (!isInstant(command.now)) {
    throw new ReferralRejection(
      'validation',
      `${command.type}.now: expected an ISO 8601 date-time with a time zone`,
    );
  }
}

/** The event the command would record, checked against its contract; problems name the path. */
export function validated<T>(check: DataCheck, data: T, command: ReferralCommand): T {
  const problems = check(data, command.type);
  if (problems.length > 0) throw new ReferralRejection('validation', problems.join('; '));
  return data;
}

export function existing(state: ReferralState, command: ReferralCommand): ExistingReferral {
  if (state.status === 'none') throw new ReferralRejection('not-found', `no referral ${command.referralId}`);
  return state;
}

export function byReceiver(referral: ExistingReferral, actor: string, command: ReferralCommand): void {
  if (actor !== referral.request.receiver) {
    throw new ReferralRejection(
      'not-receiver',
      `${command.type}: only the receiving institution ${referral.request.receiver} may do this, not ${actor}`,
    );
  }
}

export function bySender(referral: ExistingReferral, actor: string, command: ReferralCommand): void {
  if (actor !== referral.request.sender) {
    throw new ReferralRejection(
      'not-sender',
      `${command.type}: only the sending institution ${referral.request.sender} may do this, not ${actor}`,
    );
  }
}

/** Unanswered past its deadline, a referral has expired even before the scheduler records it. */
export function isOverdue(referral: ExistingReferral, now: string): boolean {
  return referral.status === 'requested' && !isBefore(now, referral.request.deadline);
}

export function notTerminal(referral: ExistingReferral, command: ReferralCommand): void {
  if (isTerminal(referral)) {
    throw new ReferralRejection(
      'terminal-state',
      `${command.type}: referral ${referral.request.referralId} is ${referral.status}`,
    );
  }
}

/** Refuses any command on a closed referral: terminal, or requested and past its deadline. */
export function stillOpen(referral: ExistingReferral, command: ReferralCommand): void {
  const id = referral.request.referralId;
  notTerminal(referral, command);
  if (isOverdue(referral, command.now)) {
    throw new ReferralRejection(
      'terminal-state',
      `${command.type}: referral ${id} expired at ${referral.request.deadline}, unanswered`,
    );
  }
}

export function invalidTransition(referral: ExistingReferral, command: ReferralCommand, why: string): never {
  throw new ReferralRejection(
    'invalid-transition',
    `${command.type}: referral ${referral.request.referralId} is ${referral.status}; ${why}`,
  );
}

/** Upward goes to a level at or above the sender's, downward to one at or below. Between two
 * institutions of the same level the sender's declared direction stands. */
export function directionFitsLevels(direction: ReferralDirection, alliance: ReferralAllianceFacts): boolean {
  const receiverAgainstSender = compareLevels(alliance.receiverLevel, alliance.senderLevel);
  return direction === 'upward' ? receiverAgainstSender >= 0 : receiverAgainstSender <= 0;
}

/** A downward referral carries the discharge summary (出院小结) and the follow-up plan (后续治疗方案). */
export function missingDownwardDocuments(documents: readonly ReferralDocument[]): string[] {
  return (['discharge-summary', 'follow-up-plan'] as const).filter(
    (kind) => !documents.some((d) => d.kind === kind),
  );
}
