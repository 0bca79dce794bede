import { refusal } from './cds-refusal.fixtures';
import { cdsService } from './cds-services';
import { feedbackRequestOf, hookRequestOf } from './cds-request.validation';

const select = cdsService('recognition-duplicate-test-select')!;
const sign = cdsService('recognition-duplicate-test-sign')!;
const PATIENT = 'pk_abcdefghijklmnop';

function request(overrides: Record<string, unknown> = {}, context: Record<string, unknown> = {}) {
  return {
    hook: 'order-select',
    hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea',
    context: {
      userId: 'Practitioner/doc-1',
      patientId: PATIENT,
      selections: ['ServiceRequest/sr-1'],
      draftOrders: {
        resourceType: 'Bundle',
        type: 'collection',
        entry: [
          {
            resource: {
              resourceType: 'ServiceRequest',
              id: 'sr-1',
              status: 'draft',
              intent: 'order',
              code: { coding: [{ system: 'http://loinc.org', code: '2345-7' }] },
              subject: { reference: `Patient/${PATIENT}` },
            },
          },
          { resource: { resourceType: 'MedicationRequest', status: 'draft', intent: 'order' } },
        ],
      },
      ...context,
    },
    ...overrides,
  };
}

describe('CDS Hooks 2.0 request validation', () => {
  it('takes a spec request: hook, hookInstance, context (userId, patientId, selections, draftOrders); fhirServer, fhirAuthorization, prefetch optional', () => {
    const r = hookRequestOf(
      request({
        fhirServer: 'https://his.example.cn/fhir',
        fhirAuthorization: {
          access_token: 't',
          token_type: 'Bearer',
          expires_in: 300,
          scope: 'user/*.read',
          subject: 'cds',
        },
        prefetch: { patient: { resourceType: 'Patient', id: PATIENT }, other: null },
      }),
      select,
    );
    expect(r.hook).toBe('order-select');
    expect(r.context.selections).toEqual(['ServiceRequest/sr-1']);
    expect(r.fhirAuthorization?.expires_in).toBe(300);
    expect(
      hookRequestOf(request({ hook: 'order-sign' }, { selections: undefined }), sign).context.selections,
    ).toBeUndefined();
  });

  it.each([
    ['not an object', () => hookRequestOf([], select), 'request'],
    ['hook missing', () => hookRequestOf(request({ hook: undefined }), select), 'hook'],
    ['the other hook', () => hookRequestOf(request({ hook: 'order-sign' }), select), 'hook'],
    [
      'hookInstance not a UUID',
      () => hookRequestOf(request({ hookInstance: 'abc' }), select),
      'hookInstance',
    ],
    ['context missing', () => hookRequestOf(request({ context: undefined }), select), 'context'],
    [
      'userId not Practitioner/…',
      () => hookRequestOf(request({}, { userId: 'Patient/1' }), select),
      'context.userId',
    ],
    [
      'patientId not a hub key',
      () => hookRequestOf(request({}, { patientId: '420102195506202048 x' }), select),
      'context.patientId',
    ],
    [
      'draftOrders missing',
      () => hookRequestOf(request({}, { draftOrders: undefined }), select),
      'context.draftOrders',
    ],
    [
      'draftOrders not a Bundle',
      () => hookRequestOf(request({}, { draftOrders: { resourceType: 'List' } }), select),
      'context.draftOrders.resourceType',
    ],
    [
      'selections missing (order-select)',
      () => hookRequestOf(request({}, { selections: undefined }), select),
      'context.selections',
    ],
    ['selections empty', () => hookRequestOf(request({}, { selections: [] }), select), 'context.selections'],
    [
      'a selection not among the drafts',
      () =>
        hookRequestOf(request({}, { selections: ['ServiceRequest/sr-1', 'ServiceRequest/sr-9'] }), select),
      'context.selections[1]',
    ],
    [
      'fhirAuthorization without fhirServer',
      () =>
        hookRequestOf(
          request({
            fhirAuthorization: {
              access_token: 't',
              token_type: 'Bearer',
              expires_in: 1,
              scope: 's',
              subject: 'c',
            },
          }),
          select,
        ),
      'fhirServer',
    ],
    [
      'fhirAuthorization token_type',
      () =>
        hookRequestOf(
          request({
            fhirServer: 'https://x.cn/fhir',
            fhirAuthorization: {
              access_token: 't',
              token_type: 'MAC',
              expires_in: 1,
              scope: 's',
              subject: 'c',
            },
          }),
          select,
        ),
      'fhirAuthorization.token_type',
    ],
    ['fhirServer not a URL', () => hookRequestOf(request({ fhirServer: 'his/fhir' }), select), 'fhirServer'],
    [
      'prefetch value not a resource',
      () => hookRequestOf(request({ prefetch: { patient: 'Patient/1' } }), select),
      'prefetch.patient',
    ],
    [
      'prefetch of another patient',
      () =>
        hookRequestOf(
          request({ prefetch: { patient: { resourceType: 'Patient', id: 'pk_someone_else' } } }),
          select,
        ),
      'prefetch.patient',
    ],
  ])('400 naming the attribute: %s', (_name, f, path) => {
    const r = refusal(f);
    expect(r.status).toBe(400);
    expect(r.path).toBe(path);
    expect(r.reason.startsWith(`${path}: `)).toBe(true);
  });

  it('a ServiceRequest needs an id (the card deletes it by id) and the context patient as subject', () => {
    const entry = (resource: Record<string, unknown>) => ({ resourceType: 'Bundle', entry: [{ resource }] });
    expect(
      refusal(() =>
        hookRequestOf(
          request({ hook: 'order-sign' }, { draftOrders: entry({ resourceType: 'ServiceRequest' }) }),
          sign,
        ),
      ).path,
    ).toBe('context.draftOrders.entry[0].resource.id');
    const other = refusal(() =>
      hookRequestOf(
        request(
          { hook: 'order-sign' },
          {
            draftOrders: entry({
              resourceType: 'ServiceRequest',
              id: 'x',
              subject: { reference: 'Patient/someone-else' },
            }),
          },
        ),
        sign,
      ),
    );
    expect(other.path).toBe('context.draftOrders.entry[0].resource.subject.reference');
    expect(other.reason).not.toContain('someone-else');
  });
});

describe('CDS Hooks 2.0 feedback validation', () => {
  const accepted = {
    card: 'c-1',
    outcome: 'accepted',
    acceptedSuggestions: [{ id: 's-1' }],
    outcomeTimestamp: '2026-12-01T02:05:31Z',
  };
  const overridden = {
    card: 'c-1',
    outcome: 'overridden',
    overrideReason: {
      reason: { system: 'https://fhir.yilian.cn/CodeSystem/recognition-decline-reason', code: 'emergency' },
      userComment: '急诊',
    },
    outcomeTimestamp: '2026-12-01T02:05:31.52Z',
  };

  it('takes accepted (with its suggestions) and overridden (with or without a reason)', () => {
    expect(
      feedbackRequestOf({
        feedback: [
          accepted,
          overridden,
          { card: 'c-2', outcome: 'overridden', outcomeTimestamp: '2026-12-01T00:00:00Z' },
        ],
      }).feedback,
    ).toHaveLength(3);
  });

  it.each([
    ['no feedback array', {}, 'feedback'],
    ['empty feedback', { feedback: [] }, 'feedback'],
    ['card missing', { feedback: [{ ...accepted, card: undefined }] }, 'feedback[0].card'],
    ['outcome other', { feedback: [{ ...accepted, outcome: 'ignored' }] }, 'feedback[0].outcome'],
    [
      'accepted without suggestions',
      { feedback: [{ ...accepted, acceptedSuggestions: undefined }] },
      'feedback[0].acceptedSuggestions',
    ],
    [
      'accepted with an override reason',
      { feedback: [{ ...accepted, overrideReason: overridden.overrideReason }] },
      'feedback[0].overrideReason',
    ],
    [
      'reason coding without code',
      { feedback: [{ ...overridden, overrideReason: { reason: { system: 'x' } } }] },
      'feedback[0].overrideReason.reason.code',
    ],
    [
      'timestamp not RFC 3339',
      { feedback: [overridden, { ...overridden, outcomeTimestamp: '2026-12-01 10:00' }] },
      'feedback[1].outcomeTimestamp',
    ],
  ])('400 naming the attribute: %s', (_name, body, path) => {
    const r = refusal(() => feedbackRequestOf(body));
    expect(r.status).toBe(400);
    expect(r.path).toBe(path);
  });
});
