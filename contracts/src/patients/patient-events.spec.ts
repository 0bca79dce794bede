import { parsePatientEvent, PATIENT_EVENT_TYPES } from './patient-event';

const K1 = `pk_${'a'.repeat(26)}`;
const K2 = `pk_${'b'.repeat(26)}`;
const parse = (type: string, data: unknown, schemaVersion = 1) =>
  parsePatientEvent({ type, schemaVersion, data });

describe('patient identity contracts', () => {
  it('names five event types, each at version 1', () => {
    expect([...PATIENT_EVENT_TYPES].sort()).toEqual([
      'PatientDemographicsRecorded',
      'PatientIdentifiersLinked',
      'PatientIdentifiersUnlinked',
      'PatientsMerged',
      'PatientsUnmerged',
    ]);
    expect(parse('PatientsMerged', { survivorKey: K1, mergedKey: K2, institution: 'H001' }, 2)).toEqual({
      ok: false,
      problems: ['schemaVersion: PatientsMerged has no version 2'],
    });
  });

  it('accepts a link between two patient keys, and refuses a self-link or an identifier for a key', () => {
    const data = { memberKey: K2, patientKey: K1, institution: 'H001', reason: 'same-resident-id' };
    expect(parse('PatientIdentifiersLinked', data).ok).toBe(true);
    expect(parse('PatientIdentifiersLinked', { ...data, memberKey: K1 })).toEqual({
      ok: false,
      problems: ['data.patientKey: must differ from memberKey'],
    });
    const clear = parse('PatientIdentifiersLinked', { ...data, patientKey: '11010519491231002X' });
    expect(clear).toEqual({
      ok: false,
      problems: ['data.patientKey: expected a patient key (pk_ + 26 base32), never an identifier'],
    });
  });

  it('records name, gender and birth date only: an identifier, phone or address is refused', () => {
    const demographics = {
      name: [{ family: '王', given: ['小明'] }],
      gender: 'male',
      birthDate: '1949-12-31',
    };
    expect(
      parse('PatientDemographicsRecorded', { patientKey: K1, institution: 'H001', demographics }).ok,
    ).toBe(true);
    const withPii = {
      ...demographics,
      identifier: [{ value: '11010519491231002X' }],
      telecom: [{ value: '13800000000' }],
      birthDate: '1949-13-01',
    };
    const parsed = parse('PatientDemographicsRecorded', {
      patientKey: K1,
      institution: 'H001',
      demographics: withPii,
    });
    expect(parsed).toEqual({
      ok: false,
      problems: [
        'data.demographics.identifier: not recorded (only name, gender and birthDate are)',
        'data.demographics.telecom: not recorded (only name, gender and birthDate are)',
        expect.stringMatching(/^data\.demographics\.birthDate: does not match/),
      ],
    });
    expect(JSON.stringify(parsed)).not.toContain('11010519491231002X');
  });
});
