import { RECOGNITION_DECISION_RECORDED, type RecognitionDecisionRecordedV1 } from '@yilian/contracts';
import type { ResultEligibility } from '../eligibility.types';
import type { RecordRecognitionDecision } from './recognition-decision.commands';
import {
  decideRecognitionDecision,
  DecisionRejection,
  evolveDecision,
  initialDecisionState,
  type DecisionState,
} from './recognition-decision.decider';

const NATIONAL = 'http://yilian.example/fhir/CodeSystem/recognition-decline-reason';
const allowed = new Set([`${NATIONAL}|illness-changed`, `${NATIONAL}|patient-request`]);

const recognisable: ResultEligibility = {
  resultStream: 'labreport-H1-A1',
  resourceType: 'DiagnosticReport',
  resourceId: 'dr-1',
  kind: 'lab',
  performer: 'H1',
  version: 1,
  resultStatus: 'final',
  effective: '2026-03-01T02:00:00.000Z',
  status: 'recognisable',
  scope: { code: 'province:42', mark: '鄂HR' },
  validUntil: '2026-03-30',
  reasons: [],
  items: [
    {
      item: { catalogueItemCode: 'HB-GLU', name: '葡萄糖', kind: 'lab', validityDays: 30, priceYuan: 6 },
      status: 'recognisable',
      scope: { code: 'province:42', mark: '鄂HR' },
      validUntil: '2026-03-30',
      reasons: [],
      observationIds: ['o2'],
    },
    {
      item: { catalogueItemCode: 'HB-K', name: '钾', kind: 'lab', validityDays: 7 },
      status: 'not-recognisable',
      reasons: ['window-passed'],
      observationIds: ['o1'],
    },
  ],
};

function command(overrides: Partial<RecordRecognitionDecision> = {}): RecordRecognitionDecision {
  return {
    type: 'RecordRecognitionDecision',
    institution: 'S1',
    encounter: 'V100',
    resultStream: 'labreport-H1-A1',
    resource: 'DiagnosticReport/dr-1',
    decision: 'recognised',
    eligibility: recognisable,
    now: '2026-03-10T01:00:00.000Z',
    ...overrides,
  };
}

/** given(events).when(command) → the events decided, or the rejection. */
function given(...history: RecognitionDecisionRecordedV1[]) {
  const state = history.reduce<DecisionState>(
    (s, data) => evolveDecision(s, { type: RECOGNITION_DECISION_RECORDED, data }),
    initialDecisionState,
  );
  return {
    when: (c: RecordRecognitionDecision) => {
      try {
        return { events: decideRecognitionDecision(c, state, allowed).map((e) => e.data) };
      } catch (e) {
        if (e instanceof DecisionRejection)
          return { rejected: { code: e.code, field: e.field, message: e.message } };
        throw e;
      }
    },
  };
}

describe('recognition decisions', () => {
  it('records a recognition with what recognition said then, covering the recognisable items only', () => {
    expect(given().when(command()).events).toEqual([
      {
        institution: 'S1',
        encounter: 'V100',
        resultStream: 'labreport-H1-A1',
        resultVersion: 1,
        resource: 'DiagnosticReport/dr-1',
        performer: 'H1',
        items: [{ code: 'HB-GLU', name: '葡萄糖', priceYuan: 6 }],
        decision: 'recognised',
        scope: { code: 'province:42', mark: '鄂HR' },
        validUntil: '2026-03-30',
        version: 1,
        decidedAt: '2026-03-10T01:00:00.000Z',
      },
    ]);
  });

  it('refuses a decision on a result that is not recognisable at that moment, with its reasons', () => {
    const expired = {
      ...recognisable,
      status: 'not-recognisable' as const,
      reasons: ['window-passed' as const],
      scope: undefined,
      validUntil: undefined,
    };
    const { rejected } = given().when(
      command({
        eligibility: expired,
        decision: 'declined',
        reason: { system: NATIONAL, code: 'illness-changed' },
      }),
    );
    expect(rejected).toMatchObject({ code: 'not-recognisable', field: 'resource' });
    expect(rejected!.message).toContain('window-passed');
  });

  it('refuses a result the patient does not have (or another result than the one judged)', () => {
    expect(given().when(command({ eligibility: undefined })).rejected?.code).toBe('unknown-result');
    expect(given().when(command({ resource: 'DiagnosticReport/dr-2' })).rejected?.code).toBe(
      'unknown-result',
    );
  });

  it('a decline needs a reason of the ValueSet; a recognition takes none', () => {
    expect(given().when(command({ decision: 'declined' })).rejected?.code).toBe('reason-required');
    expect(
      given().when(command({ decision: 'declined', reason: { system: NATIONAL, code: 'because' } })).rejected,
    ).toMatchObject({ code: 'unknown-reason', field: 'reason' });
    expect(
      given().when(command({ reason: { system: NATIONAL, code: 'illness-changed' } })).rejected?.code,
    ).toBe('reason-not-allowed');
    expect(
      given().when(command({ decision: 'declined', reason: { system: NATIONAL, code: 'illness-changed' } }))
        .events?.[0]?.reason,
    ).toEqual({ system: NATIONAL, code: 'illness-changed' });
  });

  it('the text is at most 200 characters, counted as characters, not bytes or UTF-16 units', () => {
    const reason = { system: NATIONAL, code: 'patient-request' };
    const han200 = '病'.repeat(200); // 600 bytes in UTF-8
    expect(given().when(command({ decision: 'declined', reason, text: han200 })).events?.[0]?.text).toBe(
      han200,
    );
    const astral200 = '𠀀'.repeat(200); // 400 UTF-16 units, 200 characters
    expect(given().when(command({ decision: 'declined', reason, text: astral200 })).events).toHaveLength(1);
    const { rejected } = given().when(command({ decision: 'declined', reason, text: '病'.repeat(201) }));
    expect(rejected).toMatchObject({ code: 'text-too-long', field: 'text' });
    expect(rejected!.message).toContain('got 201');
  });

  it('a second decision on the same result and encounter is version 2; the same decision again records nothing', () => {
    const first = given().when(command()).events![0]!;
    const reason = { system: NATIONAL, code: 'illness-changed' };
    expect(given(first).when(command({ now: '2026-03-10T02:00:00.000Z' })).events).toEqual([]);
    const second = given(first).when(
      command({ decision: 'declined', reason, now: '2026-03-10T02:00:00.000Z' }),
    ).events!;
    expect(second).toMatchObject([
      { decision: 'declined', reason, version: 2, decidedAt: '2026-03-10T02:00:00.000Z' },
    ]);
  });
});
