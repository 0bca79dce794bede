import type { fhir4 } from '@yilian/contracts';
import { patientIdentityRequests } from './fhir-patient.mapper';
import { patientOperationRequest } from './fhir-patient.operations';

const RID = '11010519491231002X';
const RID_SYSTEM = 'urn:oid:2.16.156.10011.1.3';
const mrn = (value: string, institution = 'H001'): fhir4.Identifier => ({
  system: `urn:yilian:institution:${institution}:mrn`,
  value,
});
const own = (value: string) => ({ institution: 'H001', value });

describe('POST /fhir/Patient → identity requests', () => {
  it('reads the record, demographics (name, gender, birth date only) and every kind of link', () => {
    const patient: fhir4.Patient = {
      resourceType: 'Patient',
      identifier: [mrn('H-100'), { system: RID_SYSTEM, value: RID }, { system: 'http://other', value: 'x' }],
      name: [{ use: 'official', family: '王', given: ['小明'] }],
      gender: 'female',
      birthDate: '1949-12-31',
      telecom: [{ system: 'phone', value: '13800000000' }],
      address: [{ text: '北京市西城区' }],
      link: [{ type: 'replaces', other: { identifier: mrn('H-400') } }],
    };
    const mapped = patientIdentityRequests('H001', patient);
    const record = { residentId: RID, mrn: own('H-100') };
    expect(mapped).toEqual({
      ok: true,
      record,
      requests: [
        {
          request: {
            kind: 'update',
            record,
            demographics: {
              name: [{ use: 'official', family: '王', given: ['小明'] }],
              gender: 'female',
              birthDate: '1949-12-31',
            },
          },
          record: 'Patient.identifier',
        },
        {
          request: { kind: 'merge', survivor: record, prior: { mrn: own('H-400') } },
          record: 'Patient.identifier',
          other: 'Patient.link[0].other.identifier',
        },
      ],
    });
    expect(JSON.stringify(mapped)).not.toMatch(/13800000000|北京市/);
  });

  it('reads replaced-by as this record merged into the other, seealso as a match with any institution', () => {
    const mapped = patientIdentityRequests('H001', {
      resourceType: 'Patient',
      identifier: [{ type: { coding: [{ code: 'MR' }] }, value: 'H-400' }],
      link: [
        { type: 'replaced-by', other: { identifier: mrn('H-100') } },
        { type: 'seealso', other: { identifier: mrn('C-7', 'C002') } },
      ],
    });
    expect(mapped.ok && mapped.requests.slice(1)).toEqual([
      {
        request: { kind: 'merge', survivor: { mrn: own('H-100') }, prior: { mrn: own('H-400') } },
        record: 'Patient.identifier',
        other: 'Patient.link[0].other.identifier',
      },
      {
        request: {
          kind: 'see-also',
          record: { mrn: own('H-400') },
          other: { mrn: { institution: 'C002', value: 'C-7' } },
        },
        record: 'Patient.identifier',
        other: 'Patient.link[1].other.identifier',
      },
    ]);
  });

  it('says what is wrong, where, without repeating an identifier', () => {
    const mapped = patientIdentityRequests('H001', {
      resourceType: 'Patient',
      identifier: [{ system: RID_SYSTEM, value: '110105194912310021' }, mrn('C-7', 'C002')],
      link: [
        { type: 'replaces', other: { reference: 'Patient/123' } },
        { type: 'replaces', other: { identifier: mrn('C-8', 'C002') } },
      ],
    });
    expect(mapped.ok).toBe(false);
    if (mapped.ok) return;
    expect(mapped.issues.map((i) => [i.code, i.path])).toEqual([
      ['value', 'Patient.identifier[0].value'],
      ['value', 'Patient.identifier[1].system'],
      ['not-supported', 'Patient.link[0].other'],
      ['value', 'Patient.link[1].other.identifier.system'],
    ]);
    expect(JSON.stringify(mapped.issues)).not.toContain('110105194912310021');
  });

  it('needs an identifier', () => {
    expect(patientIdentityRequests('H001', { resourceType: 'Patient', gender: 'male' })).toEqual({
      ok: false,
      issues: [expect.objectContaining({ code: 'required', path: 'Patient.identifier' })],
    });
  });
});

describe('POST /fhir/Patient/$merge and $unmerge → identity requests', () => {
  const parameters = (...parameter: fhir4.ParametersParameter[]): fhir4.Parameters => ({
    resourceType: 'Parameters',
    parameter,
  });
  const source = { name: 'source-patient-identifier', valueIdentifier: mrn('H-400') };
  const target = { name: 'target-patient-identifier', valueIdentifier: { system: RID_SYSTEM, value: RID } };

  it('merges source into target, and separates them', () => {
    const expected = { survivor: { residentId: RID }, prior: { mrn: own('H-400') } };
    const merge = patientOperationRequest('H001', 'merge', parameters(source, target));
    expect(merge.ok && merge.requests).toEqual([
      {
        request: { kind: 'merge', ...expected },
        record: 'Parameters.parameter[1]',
        other: 'Parameters.parameter[0]',
      },
    ]);
    const unmerge = patientOperationRequest('H001', 'unmerge', parameters(target, source));
    expect(unmerge.ok && unmerge.requests[0]!.request).toEqual({ kind: 'separate', ...expected });
  });

  it('needs both records', () => {
    const mapped = patientOperationRequest('H001', 'unmerge', parameters(source));
    expect(mapped).toEqual({
      ok: false,
      issues: [
        expect.objectContaining({ code: 'required', message: expect.stringContaining('target-patient') }),
      ],
    });
  });
});
