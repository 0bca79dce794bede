/* Property: whatever a sender sends, the intake answers with a clear ACK (or closes a
 * connection that is not HL7 at all), an AA means exactly one new event and anything else
 * means none, and the process keeps serving. Real MLLP socket, real PostgreSQL. */
import fc from 'fast-check';
import { Pool } from 'pg';
import { MllpClient } from '@yilian/hl7v2';
import { oruR01, SAMPLE_RESIDENT_ID } from '@yilian/testing';
import { startTestHub } from './hub-harness';

type Mutation =
  | { kind: 'drop-segment'; index: number }
  | { kind: 'garble-field'; segment: number; field: number; text: string }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert-bytes'; at: number; bytes: number[] }
  | { kind: 'duplicate-segment'; index: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('drop-segment' as const), index: fc.nat(20) }),
  fc.record({
    kind: fc.constant('garble-field' as const),
    segment: fc.nat(20),
    field: fc.integer({ min: 1, max: 26 }),
    text: fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom('', '^^^', '~', '\\E\\', 'abc', '-1', '99999999999999999999'),
    ),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(2000) }),
  fc.record({
    kind: fc.constant('insert-bytes' as const),
    at: fc.nat(2000),
    bytes: fc.array(fc.integer({ min: 1, max: 255 }), { minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant('duplicate-segment' as const), index: fc.nat(20) }),
);

function apply(message: string, m: Mutation): string {
  const segments = message.split('\r');
  switch (m.kind) {
    case 'drop-segment':
      return segments.filter((_, i) => i !== m.index % segments.length || i === 0).join('\r');
    case 'duplicate-segment': {
      const i = m.index % segments.length;
      return [...segments.slice(0, i + 1), segments[i]!, ...segments.slice(i + 1)].join('\r');
    }
    case 'garble-field': {
      const i = 1 + (m.segment % (segments.length - 1)); // keep MSH-1/2 so it stays HL7-shaped
      const fields = segments[i]!.split('|');
      if (m.field < fields.length) fields[m.field] = m.text.replace(/[\r\u000b\u001c]/g, '');
      segments[i] = fields.join('|');
      return segments.join('\r');
    }
    case 'truncate':
      return message.slice(0, Math.max(8, m.at % message.length));
    case 'insert-bytes': {
      const at = m.at % message.length;
      const noise = String.fromCharCode(...m.bytes.filter((b) => b !== 0x0b && b !== 0x1c));
      return message.slice(0, at) + noise + message.slice(at);
    }
  }
}

describe('intake under mutated HL7 v2 input (property)', () => {
  let hub: Awaited<ReturnType<typeof startTestHub>>;
  let pool: Pool;
  beforeAll(async () => {
    hub = await startTestHub('intake_fuzz');
    pool = new Pool({ connectionString: hub.databaseUrl, max: 1 });
  });
  afterAll(async () => {
    await pool?.end();
    await hub?.stop();
  });

  const eventCount = async () =>
    Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM yl_events')).rows[0]!.n);

  it('answers every mutation clearly, appends exactly one event on AA and none otherwise, and stays up', async () => {
    const port = hub.mllpPorts.get('H001')!;
    let client = await MllpClient.connect(port, '127.0.0.1', { ackTimeoutMs: 5_000 });
    let run = 0;
    const answers = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        run++;
        const base = oruR01({
          controlId: `FZ-${run}`,
          accession: `FZ-${run}`,
          residentId: SAMPLE_RESIDENT_ID,
          count: 4,
        });
        const sent = apply(base, m);
        const before = await eventCount();
        let code = 'closed';
        try {
          const ack = await client.send(sent);
          code = /\rMSA\|([A-Z]{2})\|/.exec(`\r${ack}`)?.[1] ?? 'no-MSA';
        } catch {
          client = await MllpClient.connect(port, '127.0.0.1', { ackTimeoutMs: 5_000 });
        }
        answers.set(code, (answers.get(code) ?? 0) + 1);
        const added = (await eventCount()) - before;
        expect(['AA', 'AE', 'AR', 'closed']).toContain(code);
        expect(added).toBe(code === 'AA' ? 1 : 0);
      }),
      { numRuns: 80, seed: 20261123 },
    );
    const alive = await client.send(
      oruR01({ controlId: 'FZ-ALIVE', accession: 'FZ-ALIVE', residentId: SAMPLE_RESIDENT_ID }),
    );
    expect(alive).toContain('MSA|AA|FZ-ALIVE');
    await client.close();
    console.log(`intake fuzz answers: ${JSON.stringify(Object.fromEntries(answers))}`);
  });
});
