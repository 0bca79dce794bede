/* HL7 v2 over HTTP: the same answers as over MLLP (AA after the durable append, AE / AR with
 * ERR segments, a resend answered alike with nothing new recorded), in the sender's charset,
 * authenticated by the institution's API key; what is not an HL7 message refused before HL7. */
import iconv from 'iconv-lite';
import { oruR01, SAMPLE_RESIDENT_ID } from '@yilian/testing';
import { KEYS, startTestHub } from './hub-harness';

describe('HL7 v2 over HTTP (POST /hl7v2)', () => {
  let hub: Awaited<ReturnType<typeof startTestHub>>;
  beforeAll(async () => {
    hub = await startTestHub('hl7_http');
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const post = (body: string | Buffer, contentType = 'application/hl7-v2', key: string = KEYS.H001) =>
    fetch(`${hub.httpUrl}/hl7v2`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body,
    });
  const stream = (accession: string) => hub.store.readStream(`labreport-H001-${accession}`);

  it('answers AA after the append, and a resend with the same ACK and nothing new', async () => {
    const message = oruR01({ controlId: 'HT-1', accession: 'HT-1', residentId: SAMPLE_RESIDENT_ID });
    const res = await post(message);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/hl7-v2; charset=UTF-8');
    const ack = await res.text();
    expect(ack).toMatch(/^MSH\|\^~\\&\|YILIAN\|HUB\|LIS\|H001\|/);
    expect(ack).toContain('\rMSA|AA|HT-1');
    const events = await stream('HT-1');
    expect(events).toHaveLength(1);
    expect(events[0]!.metadata.source).toMatchObject({
      institution: 'H001',
      protocol: 'hl7v2',
      messageId: 'HT-1',
    });

    const again = await post(message);
    expect(await again.text()).toBe(ack);
    expect(await stream('HT-1')).toHaveLength(1);
  });

  it('reads a GB18030 message as its Content-Type says, and answers in GB18030', async () => {
    const message = oruR01({ controlId: 'HT-GB', accession: 'HT-GB', residentId: SAMPLE_RESIDENT_ID });
    const res = await post(iconv.encode(message, 'gb18030'), 'application/hl7-v2; charset=GB18030');
    expect(res.headers.get('content-type')).toBe('application/hl7-v2; charset=GB18030');
    expect(iconv.decode(Buffer.from(await res.arrayBuffer()), 'gb18030')).toContain('\rMSA|AA|HT-GB');
    const [event] = await stream('HT-GB');
    const data = event!.data as { observations: { code: { text?: string } }[] };
    expect(data.observations.map((o) => o.code.text)).toContain('钾');
  });

  it('answers a content error AE with the field at fault, and nothing is recorded', async () => {
    const res = await post(
      oruR01({ controlId: 'HT-2', accession: 'HT-2', residentId: '11010519491231002Y' }),
    );
    expect(res.status).toBe(200);
    const ack = await res.text();
    expect(ack).toContain('\rMSA|AE|HT-2');
    expect(ack).toMatch(/\rERR\|[^\r]*PID\^1\^3/);
    expect(await stream('HT-2')).toHaveLength(0);
  });

  it('sends the commit and the application acknowledgement one after the other in enhanced mode', async () => {
    const res = await post(
      oruR01({
        controlId: 'HT-3',
        accession: 'HT-3',
        residentId: SAMPLE_RESIDENT_ID,
        accept: 'AL',
        application: 'AL',
      }),
    );
    const body = await res.text();
    expect(body.indexOf('\rMSA|CA|HT-3')).toBeGreaterThan(0);
    expect(body.indexOf('\rMSA|AA|HT-3')).toBeGreaterThan(body.indexOf('\rMSA|CA|HT-3'));
  });

  it('refuses what is not an HL7 message from a known institution before reading it as HL7', async () => {
    const message = oruR01({ controlId: 'HT-4', accession: 'HT-4', residentId: SAMPLE_RESIDENT_ID });
    expect((await post(message, 'application/hl7-v2', '')).status).toBe(401);
    expect((await post(message, 'application/hl7-v2', 'not-a-key')).status).toBe(401);
    const xml = await post(message, 'application/xml');
    expect(xml.status).toBe(415);
    expect(await xml.text()).toContain('application/hl7-v2');
    expect((await post(message, 'application/hl7-v2; charset=EBCDIC')).status).toBe(415);
    const empty = await post('');
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('empty');
    const big = await post(message + `\rNTE|1||${'x'.repeat(1024 * 1024)}`);
    expect(big.status).toBe(413);
    // binary noise with the right content type: AR, as over MLLP
    const noise = await post(Buffer.from([0x00, 0xff, 0x13, 0x37]), 'application/hl7-v2');
    expect(noise.status).toBe(200);
    expect(await noise.text()).toContain('MSA|AR');
    expect(await stream('HT-4')).toHaveLength(0);
  });

  it('counts what it answered in the intake metrics, by the institution the key belongs to', async () => {
    const text = await hub.metrics.registry.metrics();
    expect(text).toMatch(
      /yilian_intake_hl7_messages_total\{institution="H001",type="ORU\^R01",ack="AE"\} 1\n/,
    );
    expect(text).toMatch(
      /yilian_intake_http_requests_total\{method="POST",route="\/hl7v2",status="415"\} 2\n/,
    );
  });
});
