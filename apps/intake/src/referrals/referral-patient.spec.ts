import type { fhir4 } from '@yilian/contracts';
import { referralPatientOf } from './referral-patient';

const ID = '11010519491231002X';
const sr = (subject: fhir4.Reference): fhir4.ServiceRequest => ({
  resourceType: 'ServiceRequest',
  status: 'active',
  intent: 'order',
  subject,
});
const of = (request: fhir4.ServiceRequest, patient?: fhir4.Patient) =>
  referralPatientOf('C002', request, patient, 'ServiceRequest');

describe('who a ServiceRequest is about', () => {
  it('takes the resident ID number, and the sender’s MRN beside it', () =>
    expect(
      of(sr({ reference: 'urn:uuid:p' }), {
        resourceType: 'Patient',
        identifier: [
          { system: 'urn:yilian:institution:H001:mrn', value: 'NOT-OURS' },
          { system: 'urn:yilian:institution:C002:mrn', value: 'M-7' },
          { system: 'urn:oid:2.16.156.10011.1.3', value: ID },
        ],
      }),
    ).toEqual({ ok: true, patient: { residentId: ID, mrn: 'M-7' } }));
  it('reads subject.identifier when no Patient is sent', () =>
    expect(of(sr({ identifier: { type: { coding: [{ code: 'MR' }] }, value: 'M-8' } }))).toEqual({
      ok: true,
      patient: { mrn: 'M-8' },
    }));
  it('takes a hub patient key as it is, a local Patient id as the sender’s MRN', () => {
    const key = 'pk_7xq2m4k5v6w3nbrt2jd6hyl4ce';
    expect(of(sr({ reference: `Patient/${key}` }))).toEqual({ ok: true, patient: { patientKey: key } });
    expect(of(sr({ reference: 'Patient/4711' }))).toEqual({ ok: true, patient: { mrn: '4711' } });
  });
  it('refuses a resident ID number that fails its check without repeating it, and no identifier at all', () => {
    const bad = of(sr({ identifier: { system: 'urn:oid:2.16.156.10011.1.3', value: '110105194912310021' } }));
    expect(bad).toMatchObject({
      ok: false,
      issues: [{ code: 'value', path: 'ServiceRequest.subject.identifier.value' }],
    });
    expect(JSON.stringify(bad)).not.toContain('110105194912310021');
    expect(of(sr({ display: '王小明' }))).toMatchObject({
      ok: false,
      issues: [{ code: 'required', path: 'ServiceRequest.subject' }],
    });
  });
});
