import { parsePatientEvent, type PatientEvent } from '@yilian/contracts';
import type { PatientIdentityCommand } from './patient-identity.commands';
import { decidePatientIdentity } from './patient-identity.decider';
import {
  evolvePatientIdentity,
  initialPatientIdentityState,
  type PatientIdentityState,
} from './patient-identity.state';

// given(events on the key's stream, events on the target's stream).when(command).then(...)
const stateOf = (events: readonly PatientEvent[]): PatientIdentityState =>
  events.reduce(evolvePatientIdentity, initialPatientIdentityState());

function given(events: readonly PatientEvent[] = [], target: readonly PatientEvent[] = []) {
  return {
    when: (command: PatientIdentityCommand) => {
      const decide = () => decidePatientIdentity(command, stateOf(events), stateOf(target));
      return {
        then: (expected: readonly PatientEvent[]) => {
          const decided = decide();
          expect(decided).toEqual(expected);
          for (const e of decided)
            expect(parsePatientEvent({ ...e, schemaVersion: 1 })).toMatchObject({ ok: true });
        },
        thenNothing: () => expect(decide()).toEqual([]),
        thenRejects: (code: string) => expect(decide).toThrow(expect.objectContaining({ code })),
      };
    },
  };
}

const key = (c: string) => `pk_${c.repeat(26)}`;
const [RID, MRN_H, MRN_C, MRN_P, OTHER_RID] = ['r', 'h', 'c', 'p', 'o'].map(key) as [
  string,
  string,
  string,
  string,
  string,
];

const link = (memberKey = MRN_H, patientKey = RID): PatientIdentityCommand => ({
  type: 'LinkIdentifiers',
  memberKey,
  patientKey,
  institution: 'H001',
  reason: 'same-resident-id',
});
const linked = (memberKey = MRN_H, patientKey = RID): PatientEvent => ({
  type: 'PatientIdentifiersLinked',
  data: { memberKey, patientKey, institution: 'H001', reason: 'same-resident-id' },
});
const merge = (mergedKey = MRN_P, survivorKey = MRN_H): PatientIdentityCommand => ({
  type: 'MergePatients',
  mergedKey,
  survivorKey,
  institution: 'H001',
});
const merged = (mergedKey = MRN_P, survivorKey = MRN_H): PatientEvent => ({
  type: 'PatientsMerged',
  data: { mergedKey, survivorKey, institution: 'H001' },
});
const separate = (k = MRN_P, fromKeys = [MRN_H, RID]): PatientIdentityCommand => ({
  type: 'SeparatePatients',
  key: k,
  fromKeys,
  institution: 'H001',
});
const demographics = { name: [{ text: '王小明' }], gender: 'male', birthDate: '1949-12-31' } as const;
const record = (institution = 'H001', d: object = demographics): PatientIdentityCommand => ({
  type: 'RecordDemographics',
  patientKey: RID,
  institution,
  demographics: d,
});
const recorded = (institution = 'H001', d: object = demographics): PatientEvent => ({
  type: 'PatientDemographicsRecorded',
  data: { patientKey: RID, institution, demographics: d },
});

describe('LinkIdentifiers', () => {
  it('links an MRN to the resident ID number it came with', () => given().when(link()).then([linked()]));
  it('changes nothing when the same link comes again', () => given([linked()]).when(link()).thenNothing());
  it('refuses a self-link', () => given().when(link(RID, RID)).thenRejects('self-link'));
  it('refuses to link an MRN already linked to another patient', () =>
    given([linked()]).when(link(MRN_H, OTHER_RID)).thenRejects('linked-elsewhere'));
  it('links again after the link was withdrawn', () =>
    given([
      linked(),
      {
        type: 'PatientIdentifiersUnlinked',
        data: { memberKey: MRN_H, patientKey: RID, institution: 'H001' },
      },
    ])
      .when(link(MRN_H, OTHER_RID))
      .then([linked(MRN_H, OTHER_RID)]));
  it('refuses a link whose target is already joined to this key', () =>
    given([], [linked(MRN_C, MRN_H)])
      .when(link(MRN_H, MRN_C))
      .thenRejects('cycle'));
  it('records the link of a merged key (it applies again after an unmerge)', () =>
    given([merged(MRN_H, MRN_C)])
      .when(link())
      .then([linked()]));
});

describe('MergePatients', () => {
  it('merges the prior record into the survivor', () => given().when(merge()).then([merged()]));
  it('changes nothing when the same merge comes again', () => given([merged()]).when(merge()).thenNothing());
  it('refuses to merge a record into itself', () =>
    given().when(merge(MRN_H, MRN_H)).thenRejects('self-merge'));
  it('refuses to merge a record already merged into another', () =>
    given([merged()]).when(merge(MRN_P, MRN_C)).thenRejects('merged-elsewhere'));
  it('refuses a survivor that is merged into another record', () =>
    given([], [merged(MRN_H, MRN_C)])
      .when(merge())
      .thenRejects('survivor-merged'));
  it('refuses a survivor that is joined to the prior record', () =>
    given([], [merged(MRN_H, MRN_P)])
      .when(merge())
      .thenRejects('cycle'));
  it('merges a record that is linked elsewhere (the merge takes precedence)', () =>
    given([linked(MRN_P, OTHER_RID)])
      .when(merge())
      .then([merged()]));
});

describe('SeparatePatients', () => {
  it('unmerges what was merged into one of the named keys', () =>
    given([merged()])
      .when(separate())
      .then([
        { type: 'PatientsUnmerged', data: { mergedKey: MRN_P, survivorKey: MRN_H, institution: 'H001' } },
      ]));
  it('unmerges first, then the link that was there before the merge', () =>
    given([
      linked(MRN_P, RID),
      merged(),
      { type: 'PatientsUnmerged', data: { mergedKey: MRN_P, survivorKey: MRN_H, institution: 'H001' } },
    ])
      .when(separate())
      .then([
        {
          type: 'PatientIdentifiersUnlinked',
          data: { memberKey: MRN_P, patientKey: RID, institution: 'H001' },
        },
      ]));
  it('unmerges only what was merged: refuses a record merged into another patient', () =>
    given([merged(MRN_P, MRN_C)])
      .when(separate())
      .thenRejects('merged-elsewhere'));
  it('refuses to separate records that are neither merged nor linked', () =>
    given().when(separate()).thenRejects('not-joined'));
  it('refuses to separate from a patient the record is not linked to', () =>
    given([linked(MRN_P, OTHER_RID)])
      .when(separate())
      .thenRejects('not-joined'));
});

describe('RecordDemographics', () => {
  it('records what the institution says', () => given().when(record()).then([recorded()]));
  it('does not record the same demographics from the same institution twice', () =>
    given([recorded()]).when(record()).thenNothing());
  it('records a change, and another institution’s view of the same patient', () => {
    given([recorded()])
      .when(record('H001', { gender: 'female' }))
      .then([recorded('H001', { gender: 'female' })]);
    given([recorded()])
      .when(record('C002'))
      .then([recorded('C002')]);
  });
  it('records nothing when nothing was sent', () => given().when(record('H001', {})).thenNothing());
});
