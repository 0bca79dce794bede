// The referral event contracts (contracts/src/referrals) as a consumer meets them: checks that
// name the path at fault, and the parser a projector or handler reads envelopes with.
import {
  isReferralRejectedV1,
  isReferralRequestedV1,
  parseReferralEvent,
  referralStream,
  REFERRAL_EVENT_TYPES,
} from './contracts';
import * as f from './testing/referral.fixtures';

describe('referral event contracts', () => {
  it('accept what the decider records', () => {
    expect(isReferralRequestedV1(f.requested.data)).toBe(true);
    expect(isReferralRejectedV1(f.rejected().data)).toBe(true);
  });

  it('refuse a patient named in clear, a copied result and a rejection text over 200 characters', () => {
    expect(isReferralRequestedV1({ ...f.requested.data, patientKey: '张三' })).toBe(false);
    expect(
      isReferralRequestedV1({ ...f.requested.data, supportingInfo: [{ resourceType: 'DiagnosticReport' }] }),
    ).toBe(false);
    const long = { ...f.rejected().data, reason: { code: 'other', text: 'x'.repeat(201) } };
    expect(isReferralRejectedV1(long)).toBe(false);
  });

  it('parse an envelope into a typed event, or say what is wrong and where', () => {
    expect(parseReferralEvent({ ...f.requested, schemaVersion: 1 })).toEqual({
      ok: true,
      event: f.requested,
    });
    expect(
      parseReferralEvent({ type: 'ReferralArrived', schemaVersion: 1, data: { referralId: 'r' } }),
    ).toEqual({
      ok: false,
      problems: [
        'data.receiver: expected a string',
        'data.arrivedAt: expected an ISO 8601 date-time with a time zone',
      ],
    });
    expect(parseReferralEvent({ ...f.requested, schemaVersion: 2 })).toMatchObject({ ok: false });
    expect(parseReferralEvent({ type: 'LabReportRecorded', schemaVersion: 1, data: {} })).toMatchObject({
      ok: false,
    });
  });

  it('name ten event types and one stream per referral', () => {
    expect(REFERRAL_EVENT_TYPES).toHaveLength(10);
    expect(referralStream('ref-1')).toBe('referral-ref-1');
  });
});
