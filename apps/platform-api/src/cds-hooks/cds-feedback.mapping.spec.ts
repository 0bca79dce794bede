import type { IssuedCard } from './cds-cards.store';
import { feedbackDecisions } from './cds-feedback.mapping';
import { refusal } from './cds-refusal.fixtures';
import type { CdsFeedback } from './cds-hooks.types';

const SYSTEM = 'https://fhir.yilian.cn/CodeSystem/recognition-decline-reason';
const SERVICE = 'recognition-duplicate-test-select';
const card: IssuedCard = {
  uuid: '0b6f5a1e-7d3c-4e0a-9c1b-2f4d6e8a0b1c',
  serviceId: SERVICE,
  requester: 'C002',
  practitioner: 'c002-dr-li',
  patientKey: 'pk-0123456789',
  encounter: 'visit-1',
  resultType: 'DiagnosticReport',
  resultId: 'dr-1',
  resultStream: 'lab-report-H001-A-1',
  itemCode: 'HB-GLU',
  orderRef: 'ServiceRequest/sr-glu',
};
const issued = new Map([[card.uuid, card]]);
const who = { serviceId: SERVICE, requester: 'C002' };
const at = '2026-12-06T02:05:31Z';
const accepted: CdsFeedback = {
  card: card.uuid,
  outcome: 'accepted',
  acceptedSuggestions: [{ id: 'x' }],
  outcomeTimestamp: at,
};
const overridden = (reason?: { system?: string; code: string }, userComment?: string): CdsFeedback => ({
  card: card.uuid,
  outcome: 'overridden',
  ...(reason || userComment
    ? { overrideReason: { ...(reason ? { reason } : {}), ...(userComment ? { userComment } : {}) } }
    : {}),
  outcomeTimestamp: at,
});

describe('CDS Hooks feedback → recognition decisions', () => {
  it('accepted is recognised; overridden with a reason of the ValueSet is declined with it and the comment', () => {
    const decided = feedbackDecisions(
      [accepted, overridden({ system: SYSTEM, code: 'emergency' }, '急诊抢救，需即刻复查')],
      issued,
      who,
    );
    expect(decided).toEqual([
      { index: 0, card, decision: 'recognised' },
      {
        index: 1,
        card,
        decision: 'declined',
        reason: { system: SYSTEM, code: 'emergency', display: expect.any(String) },
        text: '急诊抢救，需即刻复查',
      },
    ]);
  });

  it('a reason given by its code alone is the ValueSet Coding; the uuid is matched case-insensitively', () => {
    const [d] = feedbackDecisions(
      [{ ...overridden({ code: 'too-old' }), card: card.uuid.toUpperCase() }],
      issued,
      who,
    );
    expect(d).toMatchObject({ decision: 'declined', reason: { system: SYSTEM, code: 'too-old' } });
  });

  it('refuses a card never issued (404), issued by the other service (404) or to another institution (403)', () => {
    expect(
      refusal(() => feedbackDecisions([accepted, { ...accepted, card: 'f'.repeat(36) }], issued, who)),
    ).toMatchObject({ status: 404, path: 'feedback[1].card' });
    expect(
      refusal(() =>
        feedbackDecisions([accepted], issued, { ...who, serviceId: 'recognition-duplicate-test-sign' }),
      ),
    ).toMatchObject({ status: 404, path: 'feedback[0].card' });
    expect(refusal(() => feedbackDecisions([accepted], issued, { ...who, requester: 'H001' }))).toMatchObject(
      { status: 403, path: 'feedback[0].card' },
    );
  });

  it('an override without a reason, a reason outside the ValueSet, or of another system is 400', () => {
    expect(refusal(() => feedbackDecisions([overridden(undefined, '只有评论')], issued, who))).toMatchObject({
      status: 400,
      path: 'feedback[0].overrideReason.reason',
    });
    expect(refusal(() => feedbackDecisions([overridden({ code: 'bored' })], issued, who))).toMatchObject({
      status: 400,
      path: 'feedback[0].overrideReason.reason',
    });
    expect(
      refusal(() =>
        feedbackDecisions(
          [overridden({ system: 'http://example.org/other', code: 'emergency' })],
          issued,
          who,
        ),
      ),
    ).toMatchObject({ status: 400, path: 'feedback[0].overrideReason.reason' });
  });

  it('the comment is at most 200 characters, counted as characters, not bytes', () => {
    const emergency = { system: SYSTEM, code: 'emergency' };
    expect(feedbackDecisions([overridden(emergency, '病'.repeat(200))], issued, who)[0]!.text).toHaveLength(
      200,
    );
    expect(refusal(() => feedbackDecisions([overridden(emergency, '病'.repeat(201))], issued, who))).toEqual({
      status: 400,
      path: 'feedback[0].overrideReason.userComment',
      reason: 'feedback[0].overrideReason.userComment: at most 200 characters (got 201)',
    });
    // 😀 is two UTF-16 units: 200 of them are 200 characters
    expect(() => feedbackDecisions([overridden(emergency, '😀'.repeat(200))], issued, who)).not.toThrow();
  });
});
