import { PatientKeyer } from '../patient-key';
import { IdentityKeys, IdentityRequestError } from './identity-request';

const keyer = new PatientKeyer('test-secret-0123456789abcdef-0123456789');
const keys = new IdentityKeys(keyer);
const RID = '11010519491231002X';
const OTHER_RID = '53010219200508011X';
const R = keyer.forResidentId(RID);
const mrn = (value: string, institution = 'H001') => ({ institution, value });
const M = (value: string, institution = 'H001') => keyer.forMrn(institution, value);

describe('IdentityKeys.commandsFor', () => {
  it('update with both identifiers: links the MRN to the resident ID key, demographics on that key', () => {
    const demographics = { gender: 'male' as const };
    expect(
      keys.commandsFor(
        { kind: 'update', record: { residentId: RID, mrn: mrn('H-1') }, demographics },
        'H001',
      ),
    ).toEqual([
      {
        type: 'LinkIdentifiers',
        memberKey: M('H-1'),
        patientKey: R,
        institution: 'H001',
        reason: 'same-resident-id',
      },
      { type: 'RecordDemographics', patientKey: R, institution: 'H001', demographics },
    ]);
  });

  it('update with an MRN only and no demographics: nothing to do', () => {
    expect(keys.commandsFor({ kind: 'update', record: { mrn: mrn('H-1') } }, 'H001')).toEqual([]);
  });

  it('merge: the prior MRN key into the survivor (resident ID key first), linking the survivor MRN', () => {
    expect(
      keys.commandsFor(
        { kind: 'merge', survivor: { residentId: RID, mrn: mrn('H-1') }, prior: { mrn: mrn('H-9') } },
        'H001',
      ),
    ).toEqual([
      expect.objectContaining({ type: 'LinkIdentifiers', memberKey: M('H-1'), patientKey: R }),
      { type: 'MergePatients', mergedKey: M('H-9'), survivorKey: R, institution: 'H001' },
    ]);
  });

  it('merge needs the prior record’s MRN', () => {
    expect(() =>
      keys.commandsFor({ kind: 'merge', survivor: { mrn: mrn('H-1') }, prior: { residentId: RID } }, 'H001'),
    ).toThrow(expect.objectContaining({ side: 'prior' }));
  });

  it('separate: from every key the survivor is known by', () => {
    expect(
      keys.commandsFor(
        { kind: 'separate', survivor: { residentId: RID, mrn: mrn('H-1') }, prior: { mrn: mrn('H-9') } },
        'H001',
      ),
    ).toEqual([{ type: 'SeparatePatients', key: M('H-9'), fromKeys: [R, M('H-1')], institution: 'H001' }]);
  });

  it('see-also: the sender’s record without a resident ID number joins the other’s patient', () => {
    expect(
      keys.commandsFor(
        { kind: 'see-also', record: { mrn: mrn('C-7', 'C002') }, other: { residentId: RID } },
        'C002',
      ),
    ).toEqual([
      {
        type: 'LinkIdentifiers',
        memberKey: M('C-7', 'C002'),
        patientKey: R,
        institution: 'C002',
        reason: 'patient-link',
      },
    ]);
    expect(
      keys.commandsFor(
        { kind: 'see-also', record: { mrn: mrn('C-7', 'C002') }, other: { mrn: mrn('H-1') } },
        'C002',
      ),
    ).toEqual([expect.objectContaining({ memberKey: M('C-7', 'C002'), patientKey: M('H-1') })]);
  });

  it('see-also refuses a record that has a resident ID number, without naming it', () => {
    const attempt = () =>
      keys.commandsFor(
        { kind: 'see-also', record: { residentId: RID, mrn: mrn('H-1') }, other: { residentId: OTHER_RID } },
        'H001',
      );
    expect(attempt).toThrow(IdentityRequestError);
    expect(attempt).not.toThrow(new RegExp(`${RID}|${OTHER_RID}`));
  });
});
