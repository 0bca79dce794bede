import { Injectable } from '@nestjs/common';
import type { fhir4 } from '@yilian/contracts';
import { httpStatusOf } from '@yilian/fhir';
import {
  institutionOf,
  referralIdFor,
  ReferralRejection,
  rejectionToOperationOutcome,
  serviceRequestToCommand,
  taskToCommand,
  toOperationOutcome,
  type FhirIssue,
  type HandledReferral,
  type ReferralCommand,
  type ReferralSubmission,
} from '@yilian/referrals';
import { FhirHttpError } from '@yilian/runtime';
import { ReferralIntake } from './referral-intake.service';
import { referralPatientOf } from './referral-patient';

type NewReferral = Extract<ReferralSubmission, { kind: 'request' }>;
type TaskUpdate = Extract<ReferralSubmission, { kind: 'task' }>;

export interface FhirCall {
  readonly actor: string;
  readonly messageId?: string;
  readonly correlationId?: string;
}

/** FHIR in, referral commands out: the institution from the credential, the patient as its
 * key, the alliance facts preloaded for the mapper; every refusal an OperationOutcome. */
@Injectable()
export class ReferralFhirIntake {
  constructor(private readonly referrals: ReferralIntake) {}

  async request(call: FhirCall, submission: NewReferral) {
    const { serviceRequest: sr, path } = submission;
    const now = new Date().toISOString();
    const sourceId = sr.identifier?.find((i) => i.value)?.value;
    if (!sourceId)
      throw fhirError([
        { code: 'required', path: `${path}.identifier`, message: 'the sender’s referral number' },
      ]);
    const who = referralPatientOf(call.actor, sr, submission.patient, path);
    if (!who.ok) throw fhirError(who.issues);
    let patientKey: string;
    try {
      patientKey = this.referrals.patientKey(call.actor, who.patient);
    } catch (e) {
      throw fhirError([{ code: 'value', path: `${path}.subject`, message: (e as Error).message }]);
    }
    const referralId = referralIdFor(call.actor, sourceId);
    const receiver = institutionOf(sr.performer?.[0]);
    const facts = receiver ? await this.referrals.allianceFacts(call.actor, receiver) : undefined;
    const context = { referralId, actor: call.actor, now, patientKey, allianceFacts: () => facts };
    const mapped = serviceRequestToCommand(sr, context);
    if (!mapped.ok) throw fhirError(mapped.issues.map(rebase('ServiceRequest', path)));
    const handled = await this.run(mapped.command, call, sourceId);
    return { referralId, patientKey, handled };
  }

  async updateTask(call: FhirCall, submission: TaskUpdate): Promise<HandledReferral> {
    const mapped = taskToCommand(submission.task, { actor: call.actor, now: new Date().toISOString() });
    if (!mapped.ok) throw fhirError(mapped.issues.map(rebase('Task', submission.path)));
    return this.run(mapped.command, call, `Task/${submission.referralId}`);
  }

  private async run(command: ReferralCommand, call: FhirCall, messageId: string): Promise<HandledReferral> {
    const source = {
      institution: call.actor,
      messageId: call.messageId ?? messageId,
      protocol: 'fhir' as const,
    };
    try {
      return await this.referrals.run(command, { ...source, correlationId: call.correlationId ?? messageId });
    } catch (e) {
      if (e instanceof ReferralRejection) {
        const { httpStatus, outcome } = rejectionToOperationOutcome(e);
        throw new FhirHttpError(httpStatus, outcome);
      }
      if (e instanceof Error && e.name === 'WrongExpectedRevisionError')
        throw FhirHttpError.of(409, 'conflict', 'the referral changed meanwhile; read it and send again');
      throw e;
    }
  }
}

/** Issues as an OperationOutcome and the status that goes with it (403 for a forbidden one). */
export function fhirError(issues: readonly FhirIssue[]): FhirHttpError {
  const outcome: fhir4.OperationOutcome = toOperationOutcome(issues);
  const forbidden = issues.some((i) => i.code === 'forbidden');
  return new FhirHttpError(forbidden ? 403 : httpStatusOf(outcome), outcome);
}

/** A mapper's `ServiceRequest.x` as where it was sent: `Bundle.entry[1].resource.x`. */
function rebase(type: string, path: string) {
  return (i: FhirIssue): FhirIssue =>
    i.path === type || i.path.startsWith(`${type}.`) ? { ...i, path: path + i.path.slice(type.length) } : i;
}
