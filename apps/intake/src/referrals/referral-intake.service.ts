import { Inject, Injectable } from '@nestjs/common';
import type { ReferralAllianceFacts } from '@yilian/alliance';
import { EVENT_STORE, type EventStore } from '@yilian/event-store';
import type { PatientKeyer } from '@yilian/patients';
import { referralStream } from '@yilian/contracts';
import {
  handleReferralCommand,
  referralStateFrom,
  type ReferralState,
  type CommandSource,
  type HandledReferral,
  type ReferralCommand,
} from '@yilian/referrals';
import { PATIENT_KEYER } from '@yilian/runtime';
import { AllianceDirectoryService } from '../alliance/alliance-directory.service';

/** Who a referral is about, as the sender named them: used only to derive the patient key. */
export type ReferralPatient =
  | { readonly residentId: string; readonly mrn?: string }
  | { readonly mrn: string; readonly residentId?: undefined }
  /** The hub's own key, when the sender already knows it (`Patient/pk_…`). */
  | { readonly patientKey: string };

/** One path for every referral command, whatever door it came through: the alliance facts and
 * the patient key a request needs, then load → decide → append (libs/referrals). */
@Injectable()
export class ReferralIntake {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PATIENT_KEYER) private readonly keyer: PatientKeyer,
    private readonly alliances: AllianceDirectoryService,
  ) {}

  /** Throws ReferralRejection (nothing appended) when a rule is broken. */
  run(command: ReferralCommand, source: CommandSource): Promise<HandledReferral> {
    return handleReferralCommand(this.store, command, source);
  }

  /** The referral as recorded (status 'none' when the hub has none by that id). */
  async state(referralId: string): Promise<ReferralState> {
    return referralStateFrom(await this.store.readStream(referralStream(referralId)));
  }

  allianceFacts(sender: string, receiver: string): Promise<ReferralAllianceFacts | undefined> {
    return this.alliances.referralFacts(sender, receiver);
  }

  /** The resident ID number when known (one key across institutions), else the sender's MRN.
   * Throws InvalidResidentIdError / RangeError, never repeating the identifier. */
  patientKey(sender: string, patient: ReferralPatient): string {
    if ('patientKey' in patient) return patient.patientKey;
    if (patient.residentId) return this.keyer.forResidentId(patient.residentId);
    return this.keyer.forMrn(sender, patient.mrn!);
  }
}
