import { PostgresEventStore } from '@yilian/event-store';
import { createTestDatabase } from '@yilian/testing';
import type { ReferralCommand } from './referral.commands';
import { handleReferralCommand } from './referral.handler';
import { ReferralRejection } from './referral.rules';
import * as f from './testing/referral.fixtures';

// The handler on a real PostgreSQL store: load → decide → append with the expected revision.
// Two receivers' clerks answering at once: one answer is recorded, the other is decided again
// on the new history and refused; the same answer twice at once is one event.
let store: PostgresEventStore;
beforeAll(async () => {
  store = new PostgresEventStore({
    connectionString: await createTestDatabase('referral_handler'),
    poolSize: 4,
  });
  await store.migrate();
});
afterAll(() => store?.close());

const source = (messageId: string) => ({
  institution: f.HOSPITAL,
  messageId,
  protocol: 'hub' as const,
  correlationId: messageId,
});
const request = async (referralId: string) =>
  handleReferralCommand(
    store,
    { ...f.upwardRequest, referralId, now: f.at(0) },
    { ...source('req'), institution: f.COMMUNITY },
  );
const accept = (referralId: string): ReferralCommand => ({
  type: 'AcceptReferral',
  referralId,
  actor: f.HOSPITAL,
  now: f.at(1),
});
const reject = (referralId: string): ReferralCommand => ({
  type: 'RejectReferral',
  referralId,
  actor: f.HOSPITAL,
  now: f.at(1),
  reason: { code: 'no-capacity' },
});

it('records the request with the patient key in every event’s metadata', async () => {
  const handled = await request('h-1');
  expect(handled.length).toBe(1);
  expect(handled.recorded[0]).toMatchObject({
    type: 'ReferralRequested',
    metadata: { patientKey: f.PATIENT_KEY },
  });
  const accepted = await handleReferralCommand(store, accept('h-1'), source('acc'));
  expect(accepted.recorded[0]!.metadata).toMatchObject({
    patientKey: f.PATIENT_KEY,
    source: { institution: f.HOSPITAL },
  });
  expect(accepted).toMatchObject({ length: 2, state: { status: 'accepted' } });
});

it('of an accept and a reject sent at once, records one and refuses the other', async () => {
  await request('h-2');
  const outcomes = await Promise.allSettled([
    handleReferralCommand(store, accept('h-2'), source('a')),
    handleReferralCommand(store, reject('h-2'), source('r')),
  ]);
  const refused = outcomes.filter((o) => o.status === 'rejected');
  expect(refused).toHaveLength(1);
  expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(ReferralRejection);
  const types = (await store.readStream('referral-h-2')).map((e) => e.type);
  expect(types).toHaveLength(2);
  expect(['ReferralAccepted', 'ReferralRejected']).toContain(types[1]);
});

it('records the same answer sent twice at once as one event', async () => {
  await request('h-3');
  const both = await Promise.all([
    handleReferralCommand(store, accept('h-3'), source('a1')),
    handleReferralCommand(store, accept('h-3'), source('a1')),
  ]);
  expect(both.map((h) => h.state.status)).toEqual(['accepted', 'accepted']);
  expect(await store.readStream('referral-h-3')).toHaveLength(2);
});

it('refuses a command on an unknown referral, appending nothing', async () => {
  await expect(handleReferralCommand(store, accept('h-none'), source('x'))).rejects.toMatchObject({
    code: 'not-found',
  });
  expect(await store.readStream('referral-h-none')).toHaveLength(0);
});
