import { retrievalStream } from '@yilian/contracts';
import { PostgresEventStore } from '@yilian/event-store';
import { createTestDatabase } from '@yilian/testing';
import { RetrievalSerials } from './retrieval-serials';

// Retrieval serials on the real PostgreSQL event store: unique and gap-free per institution and
// Asia/Shanghai day under concurrent issuers (two services, as two platform-api processes), the
// requester's own results take none, and the day turns at midnight Shanghai time.
let store: PostgresEventStore;
beforeAll(async () => {
  store = new PostgresEventStore({
    connectionString: await createTestDatabase('retrieval_serials'),
    poolSize: 8,
    pollIntervalMs: 20,
  });
  await store.migrate();
});
afterAll(() => store?.close());

const at = new Date('2026-03-01T15:59:00Z'); // 23:59 in Shanghai, 1 March
const request = (resources: string[], performer = 'H1', now = at) => ({
  institution: 'S1',
  actor: 'his-s1',
  channel: 'fhir-read' as const,
  now,
  correlationId: 'c',
  retrievals: resources.map((resource) => ({ resource, performer, patientKey: 'pk_x' })),
});

it('numbers are unique and gap-free under concurrency; own results take none; a new Shanghai day starts at 1', async () => {
  const a = new RetrievalSerials(store);
  const b = new RetrievalSerials(store);
  const answers = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      (i % 2 ? a : b).issue(request([`DiagnosticReport/r${i}-1`, `DiagnosticReport/r${i}-2`])),
    ),
  );
  const serials = answers.flatMap((m) => [...m.values()]);
  expect(serials).toHaveLength(80);
  expect(new Set(serials).size).toBe(80);
  expect(serials.map((s) => Number(s.split('-').pop())).sort((x, y) => x - y)).toEqual(
    Array.from({ length: 80 }, (_, i) => i + 1),
  );
  expect(serials.every((s) => s.startsWith('S1-20260301-'))).toBe(true);
  // the two results of one answer take consecutive numbers
  for (const m of answers) {
    const [x, y] = [...m.values()].map((s) => Number(s.split('-').pop()));
    expect(y).toBe(x! + 1);
  }
  expect(await a.issue(request(['DiagnosticReport/own'], 'S1'))).toEqual(new Map());
  const events = await store.readStream(retrievalStream('S1', '2026-03-01'));
  expect(events).toHaveLength(80);
  expect(events[0]!.data).toMatchObject({
    channel: 'fhir-read',
    institution: 'S1',
    actor: 'his-s1',
    performer: 'H1',
    day: '2026-03-01',
  });
  const nextDay = await a.issue(request(['DiagnosticReport/d2'], 'H1', new Date('2026-03-01T16:00:00Z')));
  expect([...nextDay.values()]).toEqual(['S1-20260302-000001']);
});
