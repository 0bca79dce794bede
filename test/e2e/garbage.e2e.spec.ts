/* Oversized input, over both doors: a 50 MB HL7 v2 message and an 11 MB FHIR body get an
 * error or a closed connection, nothing is appended, and other senders keep being answered. */
import { connect } from 'node:net';
import { Pool } from 'pg';
import { MllpClient } from '@yilian/hl7v2';
import { oruR01, SAMPLE_RESIDENT_ID } from '@yilian/testing';
import { KEYS, startTestHub } from './hub-harness';

describe('oversized input', () => {
  let hub: Awaited<ReturnType<typeof startTestHub>>;
  let pool: Pool;
  beforeAll(async () => {
    hub = await startTestHub('garbage');
    pool = new Pool({ connectionString: hub.databaseUrl, max: 1 });
  });
  afterAll(async () => {
    await pool?.end();
    await hub?.stop();
  });
  const events = async () =>
    Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM yl_events')).rows[0]!.n);

  it('answers a 50 MB HL7 v2 message with AR or a closed connection while another sender is served', async () => {
    const before = await events();
    const message = oruR01({ controlId: 'BIG-1', accession: 'BIG-1', residentId: SAMPLE_RESIDENT_ID });
    const filler = `\rNTE|1||${'血'.repeat(1024 * 1024)}`.repeat(17); // ≈50 MB as UTF-8
    const socket = connect({ port: hub.mllpPorts.get('H001')!, host: '127.0.0.1' });
    await new Promise((r) => socket.once('connect', r));
    const reply: Buffer[] = [];
    socket.on('data', (d: Buffer) => reply.push(d));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.write(
      Buffer.concat([Buffer.from([0x0b]), Buffer.from(message + filler, 'utf8'), Buffer.from([0x1c, 0x0d])]),
    );

    const other = await MllpClient.connect(hub.mllpPorts.get('C002')!);
    const ack = await other.send(oruR01({ controlId: 'SMALL-1', accession: 'SMALL-1', mrn: 'C-9' }));
    expect(ack).toContain('MSA|AA|SMALL-1');
    await other.close();

    await Promise.race([closed, new Promise((r) => setTimeout(r, 10_000).unref())]);
    socket.destroy();
    const text = Buffer.concat(reply).toString('utf8');
    if (text) expect(text).toMatch(/MSA\|AR\|BIG-1/);
    expect(await events()).toBe(before + 1); // only SMALL-1
  });

  it('answers an 11 MB FHIR body with 413 and an OperationOutcome', async () => {
    const res = await fetch(`${hub.httpUrl}/fhir`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${KEYS.H001}` },
      body: JSON.stringify({
        resourceType: 'Bundle',
        type: 'transaction',
        padding: 'x'.repeat(11 * 1024 * 1024),
      }),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
  });
});
