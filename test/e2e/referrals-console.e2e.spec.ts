import type { fhir4 } from '@yilian/contracts';
import { chinaDay } from '@yilian/alliance';
import { SAMPLE_RESIDENT_ID } from '@yilian/testing';
import {
  ALLIANCE,
  call,
  eventually,
  KEYS,
  patientWithResidentId,
  referralBundle,
  type ReferralsHub,
  serviceRequest,
  setUpAlliance,
  startReferralsHub,
} from './referrals-harness';

// The console's JSON actions (class-validator DTOs), the board and the indicators, on the hub.
type Board = {
  total: number;
  items: { referralId: string; status: string; overdue: boolean; waitingHours: number }[];
};

describe('referral console: actions, board and indicators', () => {
  let hub: ReferralsHub;
  const today = chinaDay(new Date().toISOString());
  const send = async (number: string, from = 'C002', to = 'H001') => {
    const sr = serviceRequest({
      number,
      sender: from,
      receiver: to,
      subject: { reference: 'Patient/placeholder' },
    });
    const downward = from === 'H001';
    const docs: fhir4.Reference[] = ['discharge-summary', 'follow-up-plan'].map((kind) => ({
      reference: `DocumentReference/${number}-${kind}`,
      extension: [
        { url: 'https://fhir.yilian.cn/StructureDefinition/referral-document-kind', valueCode: kind },
      ],
    }));
    const bundle = referralBundle(
      downward ? { ...sr, supportingInfo: docs } : sr,
      patientWithResidentId(SAMPLE_RESIDENT_ID),
    );
    const created = await call(hub, 'POST', '/fhir', downward ? KEYS.H001 : KEYS.C002, bundle);
    if (created.status !== 201) throw new Error(JSON.stringify(created.body));
    return `${from}.${number}`;
  };
  const act = (id: string, action: string, key: string, body: unknown = {}) =>
    call(hub, 'POST', `/referrals/${id}/${action}`, key, body);
  const booking = (kind: string, priorityChannel: boolean) => ({
    kind,
    bookedFor: `${today}T12:00:00+08:00`,
    priorityChannel,
    department: '心内科',
  });

  beforeAll(async () => {
    hub = await startReferralsHub('referrals_console');
    await setUpAlliance(hub);
    const a = await send('A');
    await act(a, 'accept', KEYS.H001);
    await act(a, 'schedule', KEYS.H001, booking('appointment', true));
    const b = await send('B');
    await act(b, 'accept', KEYS.H001);
    await act(b, 'schedule', KEYS.H001, booking('examination', false));
    await act(await send('C'), 'reject', KEYS.H001, { code: 'no-capacity', text: '心内科床位已满' });
    await act(await send('D', 'H001', 'C002'), 'accept', KEYS.C002);
    await send('E');
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('refuses bad bodies with 400 naming each field, before anything is decided', async () => {
    const bad = await act('C002.E', 'reject', KEYS.H001, { code: 'bored' });
    expect(bad.status).toBe(400);
    expect(bad.body['fields']).toEqual([
      { field: 'code', problems: [expect.stringContaining('code must be one of')] },
    ]);
    const other = await act('C002.E', 'reject', KEYS.H001, { code: 'other' });
    expect(other.body['fields']).toEqual([{ field: 'text', problems: expect.any(Array) }]);
    const when = await act('C002.E', 'schedule', KEYS.H001, {
      ...booking('admission', true),
      bookedFor: 'tomorrow',
    });
    expect(when.body['fields']).toEqual([
      { field: 'bookedFor', problems: ['bookedFor must be an ISO 8601 date-time with a time zone'] },
    ]);
    const actor = await act('C002.E', 'accept', KEYS.H001, { actor: 'X003' });
    expect(actor).toMatchObject({ status: 400, body: { message: 'property actor should not exist' } });
    expect((await act('C002.E', 'accept', 'no-such-key')).status).toBe(401);
    expect((await hub.store.readStream('referral-C002.E')).map((e) => e.type)).toEqual(['ReferralRequested']);
  });

  it('keeps the rules whatever is sent: 404 unknown, 409 once closed, 403 for the wrong side', async () => {
    expect(await act('C002.NOPE', 'accept', KEYS.H001)).toMatchObject({
      status: 404,
      body: { code: 'not-found' },
    });
    expect(await act('C002.C', 'accept', KEYS.H001)).toMatchObject({
      status: 409,
      body: { code: 'terminal-state' },
    });
    expect(await act('C002.A', 'cancel', KEYS.H001)).toMatchObject({
      status: 403,
      body: { code: 'not-sender' },
    });
    expect(await act('C002.A', 'complete', KEYS.H001)).toMatchObject({
      status: 409,
      body: { code: 'invalid-transition' },
    });
  });

  it('shows the inbox and outbox, filtered and paged, with waiting time and overdue flags', async () => {
    const board = (query: string) => call<Board>(hub, 'GET', `/referrals/board?${query}`, KEYS.platform);
    const inbox = await eventually(
      () => board('institution=H001&box=inbox'),
      (b) => b.body.total === 4 && b.body.items.filter((i) => i.status === 'scheduled').length === 2,
    );
    expect(inbox.body.items.map((i) => i.referralId).sort()).toEqual([
      'C002.A',
      'C002.B',
      'C002.C',
      'C002.E',
    ]);
    const scheduled = await board('institution=H001&status=scheduled,arrived');
    expect(scheduled.body.items.map((i) => i.referralId).sort()).toEqual(['C002.A', 'C002.B']);
    const outbox = await board('institution=H001&box=outbox&direction=downward');
    expect(outbox.body.items).toMatchObject([{ referralId: 'H001.D', status: 'accepted' }]);
    const later = new Date(Date.now() + 72 * 3_600_000).toISOString();
    const overdue = await board(`institution=H001&overdue=true&at=${encodeURIComponent(later)}`);
    expect(overdue.body.items.map((i) => i.referralId).sort()).toEqual(['C002.A', 'C002.B', 'C002.E']);
    expect(overdue.body.items.find((i) => i.referralId === 'C002.E')!.waitingHours).toBeGreaterThanOrEqual(
      72,
    );
    const page = await board('institution=H001&pageSize=2&page=2');
    expect(page.body).toMatchObject({ total: 4, page: 2, pageSize: 2 });
    expect(page.body.items).toHaveLength(2);
    const wrong = await board('institution=H001&status=lost&colour=red');
    expect(wrong.status).toBe(400);
  });

  it('computes the indicators of an institution and of the alliance, with the booked share of outpatient volume', async () => {
    const volume = await call(hub, 'PUT', `/outpatient-volume/${today}`, KEYS.H001, { visits: 40 });
    expect(volume).toMatchObject({ status: 201, body: { institution: 'H001', visits: 40, recorded: true } });
    expect((await call(hub, 'PUT', `/outpatient-volume/${today}`, KEYS.H001, { visits: -3 })).status).toBe(
      400,
    );
    const query = `granularity=day&from=${today}&to=${today}`;
    const ofH001 = await eventually(
      () =>
        call<{ periods: Record<string, unknown>[] }>(
          hub,
          'GET',
          `/referrals/indicators?institution=H001&${query}`,
          KEYS.platform,
        ),
      (a) => a.body.periods?.[0]?.['outpatientVisits'] === 40,
    );
    expect(ofH001.body.periods).toHaveLength(1);
    const [day] = ofH001.body.periods;
    expect(day).toMatchObject({
      period: today,
      received: {
        total: 4,
        upward: 4,
        acceptanceRate: 2 / 3,
        rejectionReasons: { 'no-capacity': 1 },
        bookings: 2,
        priorityChannelBookings: 1,
        priorityChannelShare: 0.5,
        toAcceptance: { count: 2 },
      },
      sent: { total: 1, downward: 1, downwardAccepted: 1 },
      outpatientBookings: 2,
      outpatientVisits: 40,
      bookedShareOfOutpatient: 0.05,
    });
    const ofAlliance = await call<{ overall: Record<string, unknown> }>(
      hub,
      'GET',
      `/referrals/indicators?alliance=${ALLIANCE}&granularity=month&from=${today}&to=${today}`,
      KEYS.platform,
    );
    expect(ofAlliance.body.overall).toMatchObject({
      referrals: { total: 5, upward: 4, downward: 1 },
      outpatientVisits: 40,
    });
    const both = await call(hub, 'GET', `/referrals/indicators?${query}`, KEYS.platform);
    expect(both.status).toBe(400);
  });
});
