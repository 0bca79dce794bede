import { referralDecider } from './referral.decider';
import { parseReferralEvent } from './contracts';
import { specificationFor } from './testing/specification';
import * as f from './testing/referral.fixtures';

const given = specificationFor(referralDecider, {
  checkEvent: (event) => {
    const parsed = parseReferralEvent({ ...event, schemaVersion: 1 });
    return parsed.ok ? [] : parsed.problems;
  },
});
const { COMMUNITY } = f;

describe('RequestReferral', () => {
  it('records an upward referral with its deadline: requested + the alliance response hours', () =>
    given().when(f.upwardRequest).then(f.requested));
  it('records a downward referral carrying discharge summary and follow-up plan', () =>
    given().when(f.downwardRequest).then(f.requestedDownward));
  it.each([
    ['follow-up plan', [f.dischargeSummary], /needs follow-up-plan/],
    ['discharge summary', [f.followUpPlan], /needs discharge-summary$/],
    ['both', [], /needs discharge-summary and follow-up-plan/],
  ])('refuses a downward referral without its %s', (_, documents, message) =>
    given()
      .when({ ...f.downwardRequest, documents })
      .thenRejects('validation', message),
  );
  it('refuses when sender and receiver share no alliance', () =>
    given()
      .when({ ...f.upwardRequest, alliance: undefined })
      .thenRejects('not-alliance-member'));
  it('refuses a referral to the sender itself', () =>
    given()
      .when({ ...f.upwardRequest, receiver: COMMUNITY })
      .thenRejects('validation', /receiver/));
  it('refuses "upward" to a lower level and "downward" to a higher one', () => {
    given()
      .when({ ...f.upwardRequest, alliance: f.downwardFacts })
      .thenRejects('validation', /direction/);
    given()
      .when({ ...f.downwardRequest, alliance: f.upwardFacts })
      .thenRejects('validation', /direction/);
  });
  it('between two institutions of the same level, the declared direction stands', () => {
    const facts = { ...f.upwardFacts, senderLevel: 'secondary', receiverLevel: 'secondary' } as const;
    given()
      .when({ ...f.upwardRequest, alliance: facts })
      .then(f.requested);
  });
  it('the same request again records nothing; another under the same id is refused', () => {
    given(f.requested).when(f.upwardRequest).thenNothing();
    given(f.requested)
      .when({ ...f.upwardRequest, patientKey: 'pk_aaaaaaaaaaaaaaaaaaaaaaaaaa' })
      .thenRejects('already-exists');
  });
  it.each([
    ['an ID number', '53010219200508011X'],
    ['a phone number', '13800138000138000138'],
    ['a name', '张三'],
  ])('refuses %s as the patient key', (_, patientKey) =>
    given()
      .when({ ...f.upwardRequest, patientKey })
      .thenRejects('validation', /patientKey/),
  );
  it('takes results by reference only: a copied report or a URL is refused', () => {
    const copied = { resourceType: 'DiagnosticReport', status: 'final' } as unknown as string;
    given()
      .when({ ...f.upwardRequest, supportingInfo: [copied] })
      .thenRejects('validation', /supportingInfo\[0\]/);
    given()
      .when({ ...f.upwardRequest, supportingInfo: ['https://lis.example/r/1'] })
      .thenRejects('validation', /supportingInfo\[0\]/);
  });
  it('needs a reason, and a real instant as now', () => {
    given()
      .when({ ...f.upwardRequest, reasonCode: [] })
      .thenRejects('validation', /reasonCode/);
    given()
      .when({ ...f.upwardRequest, now: 'yesterday' })
      .thenRejects('validation', /now/);
  });
});
