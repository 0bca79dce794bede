/**
 * RequestReferral: the rules a referral must meet to exist. Sender and receiver share an
 * alliance (facts from the alliance read side, in the command); the direction fits their
 * levels; a downward referral carries its discharge summary and follow-up plan; the deadline is
 * requested-at plus the alliance's response hours, so expiry is decidable from state and `now`.
 */
import type { RequestReferral } from './referral.commands';
import { addHours } from './instant';
import {
  directionFitsLevels,
  missingDownwardDocuments,
  ReferralRejection,
  validated,
  validNow,
} from './referral.rules';
import type { ReferralState } from './referral.state';
import * as c from './contracts';

export function requestReferral(command: RequestReferral, state: ReferralState): c.ReferralEvent[] {
  const { referralId, actor, receiver, alliance } = command;
  if (state.status !== 'none') {
    const r = state.request;
    const resend = r.sender === actor && r.receiver === receiver && r.patientKey === command.patientKey;
    if (resend && r.direction === command.direction) return [];
    throw new ReferralRejection('already-exists', `referral ${referralId} already exists`);
  }
  if (!alliance) {
    throw new ReferralRejection(
      'not-alliance-member',
      `${actor} and ${receiver} are not members of one alliance`,
    );
  }
  if (actor === receiver)
    throw new ReferralRejection('validation', 'RequestReferral.receiver: is the sender itself');
  validNow(command);
  const data = validated<c.ReferralRequestedV1>(
    c.checkReferralRequestedV1,
    {
      referralId,
      direction: command.direction,
      sender: actor,
      receiver,
      allianceId: alliance.allianceId,
      patientKey: command.patientKey,
      priority: command.priority,
      reasonCode: command.reasonCode,
      supportingInfo: command.supportingInfo,
      documents: command.documents,
      ...(command.department !== undefined ? { department: command.department } : {}),
      requestedAt: command.now,
      responseHours: alliance.referralResponseHours,
      deadline: addHours(command.now, alliance.referralResponseHours),
      ...(command.serviceRequest !== undefined ? { serviceRequest: command.serviceRequest } : {}),
    },
    command,
  );
  if (!directionFitsLevels(data.direction, alliance)) {
    const { senderLevel, receiverLevel } = alliance;
    const message = `${data.direction} from a ${senderLevel} to a ${receiverLevel} institution`;
    throw new ReferralRejection('validation', `RequestReferral.direction: ${message}`);
  }
  const missing = data.direction === 'downward' ? missingDownwardDocuments(data.documents) : [];
  if (missing.length > 0) {
    const message = `a downward referral needs ${missing.join(' and ')}`;
    throw new ReferralRejection('validation', `RequestReferral.documents: ${message}`);
  }
  return [{ type: c.REFERRAL_REQUESTED, data }];
}
