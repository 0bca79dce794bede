/**
 * The hub's answers to a REF^I12 (and I13 modify, I14 cancel, I15 status query: RRI^I13 – I15),
 * by acknowledgement mode (MSH-15 / MSH-16):
 *
 * - original mode: one RRI^I12 (the application response HL7 v2 defines for REF^I12), sent
 *   after the durable append, with MSA AA / AE / AR;
 * - enhanced mode: a plain ACK as the commit acknowledgement (CA / CE / CR), then, when MSH-16
 *   asks for it, the RRI^I12 with MSA AA / AE / AR.
 *
 * The RRI carries RF1 (RF1-1 referral status P pending / A / R / E, RF1-6 the sender's referral
 * number, RF1-11 the hub's referral id ^YILIAN), the PRD segments as sent, and PID with only
 * the hub's patient key. RRI_I12 has no ERR segment; on AE / AR the ERR segments (location and
 * table 0357 code) follow MSA anyway, as in an ACK: a receiver that does not know them skips
 * them, one that does learns what to fix.
 */
import type { Hl7Message } from '@medplum/core';
import type { ReferralStatus } from '@yilian/referrals';
import { type ResponseMessageType, buildAck } from '../ack';
import { acknowledgementCodes, ackModeFor, type IntakeOutcome } from '../ack-mode';
import { escapeHl7 } from '../hl7-escape';
import type { Hl7Error } from '../hl7-error';

export interface RriReferral {
  readonly referralId: string;
  readonly sourceId: string;
  readonly status: ReferralStatus;
  readonly patientKey: string;
}

/** HL7 table 0283 (referral status). */
const RF1_STATUS: Readonly<Record<ReferralStatus, string>> = {
  requested: 'P^Pending',
  accepted: 'A^Accepted',
  scheduled: 'A^Accepted',
  arrived: 'A^Accepted',
  completed: 'A^Accepted',
  rejected: 'R^Rejected',
  cancelled: 'R^Rejected',
  expired: 'E^Expired',
};

/** MSH-9 of the application response to a REF^I12 – I15: RRI with the same trigger event, the
 * one RRI_I12 structure (HL7 v2.5 chapter 11). */
function rriType(original: Hl7Message): ResponseMessageType {
  const trigger = original.getSegment('MSH')?.getComponent(9, 2).toUpperCase() ?? '';
  return ['RRI', /^I1[2-5]$/.test(trigger) ? trigger : 'I12', 'RRI_I12'];
}

export function buildRri(
  original: Hl7Message,
  code: 'AA' | 'AE' | 'AR',
  errors: readonly Hl7Error[],
  options: { readonly now: Date; readonly referral?: RriReferral },
): string {
  const ctx = original.context;
  const fs = ctx.fieldSeparator;
  const cs = ctx.componentSeparator;
  // the ACK's MSH (as RRI^I12^RRI_I12), MSA and ERR segments, without its last CR
  const lines = [
    buildAck(original, code, errors, { now: options.now, responseType: rriType(original) }).slice(0, -1),
  ];
  const r = options.referral;
  if (r) {
    const status = RF1_STATUS[r.status].replace('^', cs);
    const external = [escapeHl7(r.referralId, ctx), 'YILIAN'].join(cs);
    lines.push(
      ['RF1', status, '', '', '', '', escapeHl7(r.sourceId, ctx), '', '', '', '', external].join(fs),
    );
    for (const prd of original.segments.filter((s) => s.name === 'PRD')) lines.push(prd.toString());
    lines.push(['PID', '1', '', [r.patientKey, '', '', 'YILIAN', 'PI'].join(cs)].join(fs));
  }
  return lines.join('\r') + '\r';
}

/** Every answer a REF^I12 gets for an outcome, in the order to send them. */
export function referralAnswers(
  original: Hl7Message,
  outcome: IntakeOutcome,
  errors: readonly Hl7Error[],
  options: { readonly now: Date; readonly referral?: RriReferral },
): string[] {
  const msh = original.getSegment('MSH');
  const mode = ackModeFor(msh?.getField(15)?.toString(), msh?.getField(16)?.toString());
  return acknowledgementCodes(mode, outcome).map((code) =>
    code === 'AA' || code === 'AE' || code === 'AR'
      ? buildRri(original, code, errors, options)
      : buildAck(original, code, errors, { now: options.now }),
  );
}
