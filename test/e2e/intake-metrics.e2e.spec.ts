/* The operator's view of the intake: what it answered, counted by institution, message type,
 * acknowledgement code and HTTP route, served as Prometheus text on a port of its own — and
 * nothing a message says about a patient in it. */
import { MllpClient } from '@yilian/hl7v2';
import { type RunningMetricsServer, startMetricsServer } from '@yilian/runtime';
import { labReportBundle, oruR01, SAMPLE_RESIDENT_ID } from '@yilian/testing';
import { eventually, KEYS, postFhir, startTestHub } from './hub-harness';

describe('intake metrics', () => {
  let hub: Awaited<ReturnType<typeof startTestHub>>;
  let server: RunningMetricsServer;
  let base: string;
  beforeAll(async () => {
    hub = await startTestHub('intake_metrics');
    server = await startMetricsServer(hub.metrics.registry, 0, '127.0.0.1');
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await server?.close();
    await hub?.stop();
  });

  const scrape = async () => (await fetch(`${base}/metrics`)).text();
  const value = (text: string, series: string): number | undefined => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  it('counts HL7 v2 messages by institution, type and ACK code, and refused frames', async () => {
    const client = await MllpClient.connect(hub.mllpPorts.get('H001')!);
    expect(
      await client.send(oruR01({ controlId: 'M-1', accession: 'M-1', residentId: SAMPLE_RESIDENT_ID })),
    ).toContain('MSA|AA|M-1');
    // an invalid check character in the resident ID number: AE naming PID-3
    expect(
      await client.send(oruR01({ controlId: 'M-2', accession: 'M-2', residentId: '11010519491231002Y' })),
    ).toContain('MSA|AE|M-2');
    // a type the hub does not take, with a made-up MSH-9 that must not become a label
    const odd = oruR01({ controlId: 'M-3', accession: 'M-3', mrn: 'MRN-3' }).replace(
      'ORU^R01^ORU_R01',
      'ZZZ^Q99^SECRET_TEXT',
    );
    expect(await client.send(odd)).toContain('MSA|AR|M-3');
    expect(await client.send('hello, not HL7')).toContain('MSA|AR');
    await client.close();

    const text = await eventually(scrape, (t) =>
      t.includes('yilian_intake_mllp_connections{institution="H001"} 0'),
    );
    const messages = 'yilian_intake_hl7_messages_total{institution="H001",';
    expect(value(text, `${messages}type="ORU^R01",ack="AA"}`)).toBe(1);
    expect(value(text, `${messages}type="ORU^R01",ack="AE"}`)).toBe(1);
    expect(value(text, `${messages}type="other",ack="AR"}`)).toBe(1);
    expect(value(text, 'yilian_intake_hl7_ack_seconds_count{institution="H001"}')).toBe(3);
    expect(value(text, 'yilian_intake_mllp_frames_rejected_total{institution="H001",reason="not-hl7"}')).toBe(
      1,
    );
    expect(
      value(text, 'yilian_intake_mllp_connections_closed_total{institution="H001",reason="client"}'),
    ).toBe(1);
    expect(text).not.toContain('SECRET_TEXT');
    expect(text).not.toContain(SAMPLE_RESIDENT_ID);
    expect(text).not.toContain('MRN-3');
    expect(text).not.toContain('王');
  });

  it('counts HTTP requests by route pattern and status, never by path', async () => {
    const created = await postFhir(
      hub,
      '',
      labReportBundle({ accession: 'M-FHIR-1', residentId: SAMPLE_RESIDENT_ID }),
    );
    expect(created.status).toBe(201);
    expect((await postFhir(hub, '/DiagnosticReport', '{not json')).status).toBe(400);
    // no route: the path (with its id) must not become a label
    const res = await fetch(`${hub.httpUrl}/fhir/Medication/secret-id-123`, {
      headers: { authorization: `Bearer ${KEYS.platform}` },
    });
    expect(res.status).toBe(404);

    const text = await eventually(scrape, (t) => t.includes('status="404"'));
    expect(value(text, 'yilian_intake_http_requests_total{method="POST",route="/fhir",status="201"}')).toBe(
      1,
    );
    expect(
      value(text, 'yilian_intake_http_requests_total{method="POST",route="unmatched",status="400"}'),
    ).toBe(1);
    expect(
      value(text, 'yilian_intake_http_requests_total{method="GET",route="unmatched",status="404"}'),
    ).toBe(1);
    expect(text).not.toContain('secret-id-123');
    expect(text).not.toContain('M-FHIR-1');
  });

  it('serves /health, and refuses what it does not serve', async () => {
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/other`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
    const text = await scrape();
    expect(text).toContain('# TYPE yilian_intake_hl7_ack_seconds histogram');
  });
});
