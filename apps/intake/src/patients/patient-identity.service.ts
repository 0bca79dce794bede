import { Inject, Injectable } from '@nestjs/common';
import { patientStream, type RecordedEvent } from '@yilian/contracts';
import { EVENT_STORE, type EventStore } from '@yilian/event-store';
import {
  appendDecidedIdentity,
  type DecidedIdentity,
  decidePatientIdentityCommand,
  handlePatientIdentityCommands,
  IdentityKeys,
  type IdentitySource,
  type PatientIdentityCommand,
  type PatientKeyer,
  patientIdentityStateFrom,
  type RecordIdentifiers,
} from '@yilian/patients';
import { PATIENT_KEYER } from '@yilian/runtime';
import { KnownLinks } from './known-links';

/** Who a report or registration is about, as the sender identified them. */
export interface SenderPatient {
  readonly residentId?: string;
  readonly mrn?: string;
}

/**
 * The intake's door to cross-institution identity: keys records, decides and appends identity
 * commands. Used by lab results (an MRN that comes with a resident ID number is linked before
 * the report is appended), by HL7 v2 ADT and by FHIR Patient.
 */
@Injectable()
export class PatientIdentityService {
  readonly keys: IdentityKeys;
  private readonly knownLinks = new KnownLinks();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PATIENT_KEYER) keyer: PatientKeyer,
  ) {
    this.keys = new IdentityKeys(keyer);
  }

  recordOf(institution: string, patient: SenderPatient): RecordIdentifiers {
    return {
      ...(patient.residentId ? { residentId: patient.residentId } : {}),
      ...(patient.mrn ? { mrn: { institution, value: patient.mrn } } : {}),
    };
  }

  /** The link a report's patient implies (its MRN to its resident ID number's key), decided but
   * not appended; undefined when there is nothing to link or it is linked already (a link this
   * process saw recorded is not read again). Throws PatientIdentityRejection when the MRN is
   * linked to another patient. */
  async decideReportLink(
    institution: string,
    patient: SenderPatient,
    source: IdentitySource,
    now: string,
  ): Promise<DecidedIdentity | undefined> {
    const [link] = this.keys.sameResidentIdLink(this.recordOf(institution, patient), institution);
    if (link?.type !== 'LinkIdentifiers') return undefined;
    if (this.knownLinks.has(link.memberKey, link.patientKey)) return undefined;
    const snapshot = this.knownLinks.snapshot();
    const decided = await decidePatientIdentityCommand(this.store, link, source, now);
    if (decided.kind === 'append') return decided;
    if (decided.state.link?.patientKey === link.patientKey)
      this.knownLinks.remember(link.memberKey, link.patientKey, snapshot);
    return undefined;
  }

  async append(decided: DecidedIdentity): Promise<readonly RecordedEvent[]> {
    const snapshot = this.knownLinks.snapshot();
    const recorded = await appendDecidedIdentity(this.store, decided);
    for (const e of decided.kind === 'append' ? decided.events : []) {
      const link = e.data as { memberKey?: string; patientKey?: string };
      if (e.type === 'PatientIdentifiersLinked' && link.memberKey && link.patientKey)
        this.knownLinks.remember(link.memberKey, link.patientKey, snapshot);
    }
    return recorded;
  }

  /** The other key a report of this patient may have been filed under before: the MRN's key
   * when the resident ID number now comes with it, or — MRN only — the patient the MRN is
   * linked or merged into. */
  async earlierReportKey(institution: string, patient: SenderPatient): Promise<string | undefined> {
    if (!patient.mrn) return undefined;
    const mrnKey = this.keys.subjectKey({ mrn: { institution, value: patient.mrn } });
    if (patient.residentId) return mrnKey;
    const state = patientIdentityStateFrom(await this.store.readStream(patientStream(mrnKey)));
    return state.merge?.survivorKey ?? state.link?.patientKey;
  }

  /** Decides every command of a message, then appends them; nothing when one is refused.
   * A separation or merge makes this process forget what it knew of the keys' links. */
  async apply(
    commands: readonly PatientIdentityCommand[],
    source: IdentitySource,
    now: string,
  ): Promise<readonly RecordedEvent[]> {
    try {
      return await handlePatientIdentityCommands(this.store, commands, source, now);
    } finally {
      this.knownLinks.forget(commands.flatMap(separatedOrMergedKey));
    }
  }
}

function separatedOrMergedKey(command: PatientIdentityCommand): string[] {
  if (command.type === 'SeparatePatients') return [command.key];
  if (command.type === 'MergePatients') return [command.mergedKey];
  return [];
}
