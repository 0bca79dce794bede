import type { fhir4 } from '@yilian/contracts';
import { isReferralBundle, readReferralBundle, readTaskUpdate } from './referral-bundle';

const patient: fhir4.Patient = {
  resourceType: 'Patient',
  identifier: [{ system: 'urn:oid:2.16.156.10011.1.3', value: '11010519491231002X' }],
};
const sr = (subject: string): fhir4.ServiceRequest => ({
  resourceType: 'ServiceRequest',
  status: 'active',
  intent: 'order',
  subject: { reference: subject },
});
const bundle = (...entry: fhir4.BundleEntry[]): fhir4.Bundle => ({
  resourceType: 'Bundle',
  type: 'transaction',
  entry,
});
const post = (resource: fhir4.FhirResource, fullUrl?: string): fhir4.BundleEntry => ({
  ...(fullUrl ? { fullUrl } : {}),
  resource,
  request: { method: 'POST', url: resource.resourceType },
});
const paths = (mapped: ReturnType<typeof readReferralBundle>) =>
  mapped.ok ? [] : mapped.issues.map((i) => `${i.code} ${i.path}`);

describe('readReferralBundle', () => {
  it('reads a new referral with the Patient it names and its Task', () => {
    const task: fhir4.Task = { resourceType: 'Task', status: 'requested', intent: 'order' };
    const mapped = readReferralBundle(
      bundle(post(patient, 'urn:uuid:p1'), post(sr('urn:uuid:p1')), post(task)),
    );
    expect(mapped).toMatchObject({
      ok: true,
      command: { kind: 'request', path: 'Bundle.entry[1].resource', patient },
    });
  });

  it('reads a Task update, its id from the request url', () => {
    const task: fhir4.Task = { resourceType: 'Task', status: 'accepted', intent: 'order' };
    const entry = { resource: task, request: { method: 'PUT' as const, url: 'Task/C002.R-1' } };
    expect(readReferralBundle(bundle(entry))).toMatchObject({
      ok: true,
      command: {
        kind: 'task',
        referralId: 'C002.R-1',
        task: { focus: { reference: 'ServiceRequest/C002.R-1' } },
      },
    });
  });

  it('names what it does not take: two referrals, other resources, a batch, a dangling subject', () => {
    expect(paths(readReferralBundle(bundle(post(sr('#p')), post(sr('#p')))))).toEqual([
      'not-supported Bundle.entry[1]',
    ]);
    const obs = { resourceType: 'Observation', status: 'final', code: {} } as fhir4.Observation;
    expect(paths(readReferralBundle(bundle(post(obs))))).toEqual(['not-supported Bundle.entry[0]']);
    expect(paths(readReferralBundle({ ...bundle(), type: 'batch' }))).toEqual(['not-supported Bundle.type']);
    expect(paths(readReferralBundle(bundle(post(sr('urn:uuid:nowhere')))))).toEqual([
      'not-found Bundle.entry[0].resource.subject.reference',
    ]);
  });

  it('refuses a Task update whose focus or id is another referral', () => {
    const task: fhir4.Task = { resourceType: 'Task', status: 'accepted', intent: 'order', id: 'other' };
    expect(readTaskUpdate(task, 'C002.R-1')).toMatchObject({ ok: false, issues: [{ path: 'Task.id' }] });
  });

  it('tells a referral Bundle from a lab report one', () => {
    expect(isReferralBundle(bundle(post(sr('#p'))))).toBe(true);
    expect(isReferralBundle(bundle(post(patient)))).toBe(false);
    expect(isReferralBundle({ resourceType: 'Bundle' })).toBe(false);
  });
});
