import type { LinkReason, PatientDemographics } from '@yilian/contracts';

/** `memberKey` names the same person as `patientKey`. */
export interface LinkIdentifiers {
  readonly type: 'LinkIdentifiers';
  readonly memberKey: string;
  readonly patientKey: string;
  readonly institution: string;
  readonly reason: LinkReason;
}

/** Merge the duplicate record `mergedKey` into `survivorKey` (ADT^A40). */
export interface MergePatients {
  readonly type: 'MergePatients';
  readonly mergedKey: string;
  readonly survivorKey: string;
  readonly institution: string;
}

/** Undo what joined `key` to the patient the sender names by `fromKeys` (the keys of the
 * survivor's identifiers): its merge when it was merged, else its link (ADT^A37, `$unmerge`). */
export interface SeparatePatients {
  readonly type: 'SeparatePatients';
  readonly key: string;
  readonly fromKeys: readonly string[];
  readonly institution: string;
}

/** What the institution's registration says now (ADT^A08, FHIR Patient). */
export interface RecordDemographics {
  readonly type: 'RecordDemographics';
  readonly patientKey: string;
  readonly institution: string;
  readonly demographics: PatientDemographics;
}

export type PatientIdentityCommand = LinkIdentifiers | MergePatients | SeparatePatients | RecordDemographics;

/** The key whose stream (`patient-{key}`) the command is decided on. */
export function subjectKeyOf(command: PatientIdentityCommand): string {
  switch (command.type) {
    case 'LinkIdentifiers':
      return command.memberKey;
    case 'MergePatients':
      return command.mergedKey;
    case 'SeparatePatients':
      return command.key;
    case 'RecordDemographics':
      return command.patientKey;
  }
}

/** The other key whose state a rule looks at (link target, merge survivor), if any. */
export function targetKeyOf(command: PatientIdentityCommand): string | undefined {
  if (command.type === 'LinkIdentifiers') return command.patientKey;
  if (command.type === 'MergePatients') return command.survivorKey;
  return undefined;
}
