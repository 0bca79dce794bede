import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  type ErrLocation,
  HL7_ERROR,
  type Hl7Error,
  type Hl7Message,
  type IntakeOutcome,
  type LocatedRequest,
  mapAdtIdentity,
} from '@yilian/hl7v2';
import {
  IdentityRequestError,
  type PatientIdentityCommand,
  PatientIdentityRejection,
} from '@yilian/patients';
import { LOGGER, type Logger } from '@yilian/runtime';
import { PatientIdentityService } from './patient-identity.service';

export interface AdtOutcome {
  readonly outcome: IntakeOutcome;
  readonly errors: Hl7Error[];
}

/** HL7 v2 ADT (A01, A04, A08, A40, A37) from a member institution: map, key, decide every
 * command of the message, then append. AA only after the durable append; AE with an ERR at
 * the PID or MRG at fault when a rule refuses it (nothing appended). Never throws. */
@Injectable()
export class PatientAdtIntake {
  constructor(
    private readonly identity: PatientIdentityService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async record(
    message: Hl7Message,
    type: string,
    institution: string,
    controlId: string,
    now: Date,
  ): Promise<AdtOutcome> {
    try {
      return await this.decideAndAppend(message, type, institution, controlId, now);
    } catch (e) {
      this.logger.error({ err: (e as Error).message, institution, type }, 'HL7 ADT intake failed');
      const message = 'the hub could not record the message; nothing was recorded, please resend';
      return { outcome: 'internal-error', errors: [{ segment: 'MSH', sequence: 1, code: 207, message }] };
    }
  }

  private async decideAndAppend(
    message: Hl7Message,
    type: string,
    institution: string,
    controlId: string,
    now: Date,
  ): Promise<AdtOutcome> {
    const mapped = mapAdtIdentity(message, type, institution);
    if (!mapped.ok) return { outcome: 'content-error', errors: mapped.errors };
    const located = new Map<PatientIdentityCommand, ErrLocation>();
    for (const r of mapped.requests) {
      try {
        for (const command of this.identity.keys.commandsFor(r.request, institution))
          located.set(command, locate(command, r));
      } catch (e) {
        if (!(e instanceof IdentityRequestError)) throw e;
        const at = e.side === 'prior' || e.side === 'other' ? (r.prior ?? r.record) : r.record;
        return contentError(at, HL7_ERROR.requiredFieldMissing, e.message);
      }
    }
    const source = {
      institution,
      protocol: 'hl7v2' as const,
      messageId: controlId,
      correlationId: randomUUID(),
    };
    try {
      await this.identity.apply([...located.keys()], source, now.toISOString());
      return { outcome: 'accepted', errors: [] };
    } catch (e) {
      if (e instanceof PatientIdentityRejection) {
        const at = located.get(e.command) ?? mapped.requests[0]!.record;
        const code = e.code === 'not-joined' ? 204 : HL7_ERROR.applicationInternal;
        return contentError(at, code, e.message);
      }
      throw e;
    }
  }
}

/** A link or demographics concern the PID; a merge or separation the prior record. */
function locate(command: PatientIdentityCommand, r: LocatedRequest): ErrLocation {
  return command.type === 'MergePatients' || command.type === 'SeparatePatients'
    ? (r.prior ?? r.record)
    : r.record;
}

function contentError(at: ErrLocation, code: number, message: string): AdtOutcome {
  return { outcome: 'content-error', errors: [{ ...at, code, message }] };
}
