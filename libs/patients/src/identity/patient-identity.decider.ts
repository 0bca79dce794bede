/**
 * Cross-institution identity, decided per key: `decide(command, state, target)` where `state`
 * is the stream of the key the command is about and `target` the state of the other key a rule
 * looks at (the link target, the merge survivor). Pure: no clock, no I/O.
 *
 * Rules
 * - a key is never linked or merged to itself;
 * - a key is linked to one patient at a time: linking it elsewhere is refused (separate it, or
 *   merge, first); the same link again changes nothing;
 * - two keys never point at each other (a link or merge whose target points back is refused);
 * - a key is merged into one survivor at a time, and not into a key that is itself merged
 *   (merge into that one's survivor); the same merge again changes nothing;
 * - separating undoes only what joined the two: the merge when the key was merged into one of
 *   the named keys, else the link to one of them; anything else is refused;
 * - demographics the institution already recorded, unchanged, are not recorded again.
 * Messages never name an identifier: they end up in ACKs and OperationOutcomes.
 */
import type { PatientEvent } from '@yilian/contracts';
import type {
  LinkIdentifiers,
  MergePatients,
  PatientIdentityCommand,
  RecordDemographics,
  SeparatePatients,
} from './patient-identity.commands';
import { demographicsHash, type PatientIdentityState } from './patient-identity.state';

export type PatientIdentityRejectionCode =
  | 'self-link'
  | 'linked-elsewhere'
  | 'cycle'
  | 'self-merge'
  | 'merged-elsewhere'
  | 'survivor-merged'
  | 'not-joined';

export class PatientIdentityRejection extends Error {
  constructor(
    readonly code: PatientIdentityRejectionCode,
    message: string,
    /** The command refused, so a caller can point at the part of its message at fault. */
    readonly command: PatientIdentityCommand,
  ) {
    super(message);
    this.name = 'PatientIdentityRejection';
  }
}

const reject = (
  command: PatientIdentityCommand,
  code: PatientIdentityRejectionCode,
  message: string,
): never => {
  throw new PatientIdentityRejection(code, message, command);
};

function pointsAt(state: PatientIdentityState | undefined, key: string): boolean {
  return state?.link?.patientKey === key || state?.merge?.survivorKey === key;
}

export function linkIdentifiers(
  c: LinkIdentifiers,
  state: PatientIdentityState,
  target?: PatientIdentityState,
): PatientEvent[] {
  if (c.memberKey === c.patientKey) reject(c, 'self-link', 'a patient cannot be linked to itself');
  if (state.link?.patientKey === c.patientKey) return [];
  if (state.link) {
    reject(
      c,
      'linked-elsewhere',
      'this record is already linked to another patient (for an MRN: one with a different resident ID number); separate the two first (ADT^A37 or Patient/$unmerge), then send again',
    );
  }
  if (pointsAt(target, c.memberKey))
    reject(c, 'cycle', 'the other record is already joined to this one the other way round');
  const { memberKey, patientKey, institution, reason } = c;
  return [{ type: 'PatientIdentifiersLinked', data: { memberKey, patientKey, institution, reason } }];
}

export function mergePatients(
  c: MergePatients,
  state: PatientIdentityState,
  survivor?: PatientIdentityState,
): PatientEvent[] {
  if (c.mergedKey === c.survivorKey)
    reject(c, 'self-merge', 'the prior record and the survivor are the same');
  if (state.merge?.survivorKey === c.survivorKey) return [];
  if (state.merge)
    reject(c, 'merged-elsewhere', 'the prior record is already merged into another; unmerge it first');
  if (pointsAt(survivor, c.mergedKey))
    reject(c, 'cycle', 'the survivor is itself joined to the prior record; merge the other way round');
  if (survivor?.merge)
    reject(c, 'survivor-merged', 'the survivor is itself merged into another record; merge into that one');
  const { mergedKey, survivorKey, institution } = c;
  return [{ type: 'PatientsMerged', data: { survivorKey, mergedKey, institution } }];
}

export function separatePatients(c: SeparatePatients, state: PatientIdentityState): PatientEvent[] {
  const { key: memberKey, institution } = c;
  if (state.merge && c.fromKeys.includes(state.merge.survivorKey)) {
    const survivorKey = state.merge.survivorKey;
    return [{ type: 'PatientsUnmerged', data: { survivorKey, mergedKey: memberKey, institution } }];
  }
  if (state.link && c.fromKeys.includes(state.link.patientKey)) {
    const patientKey = state.link.patientKey;
    return [{ type: 'PatientIdentifiersUnlinked', data: { memberKey, patientKey, institution } }];
  }
  if (state.merge)
    reject(c, 'merged-elsewhere', 'the record is merged into another patient than the one named');
  return reject(c, 'not-joined', 'the two records are neither merged nor linked');
}

export function recordDemographics(c: RecordDemographics, state: PatientIdentityState): PatientEvent[] {
  const { patientKey, institution, demographics } = c;
  if (Object.keys(demographics).length === 0) return [];
  if (state.demographics[institution] === demographicsHash(demographics)) return [];
  return [{ type: 'PatientDemographicsRecorded', data: { patientKey, institution, demographics } }];
}

export function decidePatientIdentity(
  command: PatientIdentityCommand,
  state: PatientIdentityState,
  target?: PatientIdentityState,
): PatientEvent[] {
  switch (command.type) {
    case 'LinkIdentifiers':
      return linkIdentifiers(command, state, target);
    case 'MergePatients':
      return mergePatients(command, state, target);
    case 'SeparatePatients':
      return separatePatients(command, state);
    case 'RecordDemographics':
      return recordDemographics(command, state);
    default: {
      const never: never = command;
      throw new Error(`unknown command ${(never as { type: string }).type}`);
    }
  }
}
