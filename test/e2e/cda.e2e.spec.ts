/**
 * WS/T 500 CDA documents against the running hub: each fixture posted to `POST /cda` over HTTP
 * with its institution's API key, read back from platform-api with fhir-kit-client and validated
 * against the R4 definitions; the template's faults as 422 with the XPath; one document inside an
 * MDM^T02 (OBX ED, base64) over the real MLLP socket, and a bad one answered AE at OBX-5; the same
 * lab report sent as CDA and as HL7 v2 ORU^R01 landing in one stream.
 */
import type { fhir4 } from '@yilian/contracts';
import { validateFhirResource } from '@yilian/fhir';
import { encodeText, MllpClient } from '@yilian/hl7v2';
import { cdaFixture, type CdaFixture } from '../../libs/cda/test/cda-fixtures';
import { eventually, KEYS, platformClient, startTestHub } from './hub-harness';

type Hub = Awaited<ReturnType<typeof startTestHub>>;

const FIXTURES: readonly { name: CdaFixture; key: keyof typeof KEYS; stream: string; report: string }[] = [
  {
    name: 'lab-biochemistry-panel',
    key: 'H001',
    stream: 'labreport-H001-JY20251201-0042',
    report: 'H001.JY20251201-0042',
  },
  {
    name: 'lab-complete-blood-count',
    key: 'C002',
    stream: 'labreport-C002-XCG20251202-0107',
    report: 'C002.XCG20251202-0107',
  },
  {
    name: 'exam-chest-ct',
    key: 'C002',
    stream: 'imaging-C002-CT20251203015',
    report: 'imaging.C002.CT20251203015',
  },
  {
    name: 'exam-abdominal-ultrasound',
    key: 'H001',
    stream: 'imaging-H001-US20251204009',
    report: 'imaging.H001.US20251204009',
  },
];

async function postCda(
  hub: Hub,
  body: string | Buffer,
  key: string = KEYS.H001,
  type = 'application/hl7-cda+xml',
) {
  const res = await fetch(`${hub.httpUrl}/cda`, {
    method: 'POST',
    headers: { 'content-type': type, ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body,
  });
  const text = await res.text();
  return {
    status: res.status,
    location: res.headers.get('location'),
    body: JSON.parse(text) as Record<string, unknown>,
  };
}

const errorsOf = (r: fhir4.Resource) => validateFhirResource(r).filter((i) => i.severity === 'error');
const issuesOf = (body: Record<string, unknown>) => (body as unknown as fhir4.OperationOutcome).issue;
const segment = (ack: string, name: string) =>
  (ack.split('\r').find((s) => s.startsWith(`${name}|`)) ?? '').split('|');

/** An MDM^T02 carrying `xml` as a base64 CDA in OBX ED. */
function mdmWithCda(controlId: string, xml: string): string {
  const data = Buffer.from(xml, 'utf8').toString('base64');
  return [
    `MSH|^~\\&|RIS|H001|YILIAN|HUB|20251204103000+0800||MDM^T02^MDM_T02|${controlId}|P|2.5.1|||||CHN|UNICODE UTF-8`,
    'EVN|T02|20251204103000+0800',
    'PID|1||MZ20251204003^^^H001^MR~11010519491231002X^^^&2.16.156.10011.1.3&ISO^NNCHN||测试^患者||19491231|F',
    'TXA|1|CN^Clinical note^HL70270|AP|20251204094000+0800|||||||US-DOC-MDM-0001||||||AU',
    `OBX|1|ED|C0006^检查报告^2.16.156.10011.2.4||^application^hl7-cda+xml^Base64^${data}||||||F`,
  ].join('\r');
}

describe('hub: WS/T 500 CDA documents over HTTP (POST /cda) and inside MDM^T02 over MLLP', () => {
  let hub: Hub;
  let h001: MllpClient;
  const read = (id: string, versions = 1) =>
    eventually(
      async () =>
        (await platformClient(hub).history({ resourceType: 'DiagnosticReport', id })) as fhir4.Bundle,
      (b) => (b.total ?? 0) >= versions,
    ).then((b) => (b.entry ?? []).map((e) => e.resource as fhir4.DiagnosticReport));

  beforeAll(async () => {
    hub = await startTestHub('hub_cda');
    h001 = await MllpClient.connect(hub.mllpPorts.get('H001')!);
  });
  afterAll(async () => {
    await h001?.close();
    await hub?.stop();
  });

  it.each(FIXTURES)(
    '$name: 201 with stream and version, 200 for the resend, read back valid from platform-api',
    async (f) => {
      const xml = cdaFixture(f.name);
      const first = await postCda(hub, xml, KEYS[f.key]);
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({
        recorded: true,
        stream: f.stream,
        version: 1,
        resource: `DiagnosticReport/${f.report}`,
      });
      expect(first.location).toBe(`DiagnosticReport/${f.report}/_history/1`);
      const again = await postCda(hub, xml, KEYS[f.key], 'application/xml; charset=utf-8');
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ recorded: false, stream: f.stream, version: 1 });
      expect(await hub.store.readStream(f.stream)).toHaveLength(1);

      const [report] = await read(f.report);
      expect(errorsOf(report!)).toEqual([]);
      expect(report!.performer?.[0]?.reference).toBe(`Organization/${f.key}`);
      if (f.name.startsWith('lab')) {
        expect(report!.category?.[0]?.coding?.[0]?.code).toBe('LAB');
        const fhir = platformClient(hub);
        const found = (await eventually(
          () =>
            fhir.search({
              resourceType: 'Observation',
              searchParams: { patient: report!.subject!.reference! },
            }),
          (b) => ((b as fhir4.Bundle).entry ?? []).some((e) => e.resource?.id?.startsWith(f.report)),
        )) as fhir4.Bundle;
        const observations = (found.entry ?? [])
          .map((e) => e.resource as fhir4.Observation)
          .filter((o) => o.id!.startsWith(`${f.report}.`));
        expect(observations.length).toBe(report!.result?.length);
        for (const o of observations) expect(errorsOf(o)).toEqual([]);
        if (f.name === 'lab-biochemistry-panel') {
          const k = observations.find((o) => o.code.coding?.some((c) => c.code === '2823-3'))!;
          expect(k.valueQuantity).toMatchObject({
            value: 5.8,
            system: 'http://unitsofmeasure.org',
            code: 'mmol/L',
          });
          expect(k.interpretation?.[0]?.coding?.[0]?.code).toBe('H');
          expect(k.referenceRange?.[0]).toMatchObject({ low: { value: 3.5 }, high: { value: 5.3 } });
          expect(k.effectiveDateTime).toBe('2025-12-01T09:30:00+08:00');
        }
      } else {
        expect(report!.conclusion).toBeTruthy();
        expect(report!.presentedForm?.[0]?.contentType).toBe('text/plain; charset=utf-8');
      }
    },
  );

  it('refuses what the template or the credential does not allow: 422 with the XPath, 400, 401, 413, 415', async () => {
    const lab = cdaFixture('lab-biochemistry-panel');
    // the credential decides: H001's document sent with C002's key
    const foreign = await postCda(hub, lab, KEYS.C002);
    expect(foreign.status).toBe(422);
    expect(issuesOf(foreign.body)[0]?.code).toBe('value');
    expect(issuesOf(foreign.body).map((i) => i.expression?.[0])).toEqual([
      "/ClinicalDocument/custodian/assignedCustodian/representedCustodianOrganization/id[@root='2.16.156.10011.1.5']/@extension",
      '/ClinicalDocument/author/assignedAuthor/representedOrganization/id/@extension',
    ]);
    const noPatient = lab
      .replace(/<id root="2\.16\.156\.10011\.1\.3" extension="[^"]*"\/>/, '')
      .replace(/<id root="2\.16\.156\.10011\.1\.11" extension="[^"]*"\/>/, '');
    const missing = await postCda(hub, noPatient);
    expect(missing.status).toBe(422);
    expect(issuesOf(missing.body)).toEqual([
      expect.objectContaining({
        severity: 'error',
        code: 'required',
        expression: ["/ClinicalDocument/recordTarget/patientRole/patient/id[@root='2.16.156.10011.1.3']"],
        location: ["/ClinicalDocument/recordTarget/patientRole/patient/id[@root='2.16.156.10011.1.3']"],
      }),
    ]);
    expect((await postCda(hub, 'MSH|^~\\&|not xml')).status).toBe(400);
    const bomb = `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "${'x'.repeat(100)}"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><ClinicalDocument xmlns="urn:hl7-org:v3">&b;</ClinicalDocument>`;
    const refused = await postCda(hub, bomb);
    expect([refused.status, issuesOf(refused.body)[0]?.diagnostics]).toEqual([
      400,
      'the document has a DOCTYPE (DTD or entity declarations); a CDA document has none',
    ]);
    expect((await postCda(hub, lab, '')).status).toBe(401);
    expect((await postCda(hub, lab, KEYS.H001, 'text/plain')).status).toBe(415);
    const huge = await postCda(hub, Buffer.alloc(3 * 1024 * 1024, 0x20));
    expect(huge.status).toBe(413);
    expect(await hub.store.readStream('labreport-C002-JY20251201-0042')).toHaveLength(0);
  });

  it('reads a document in GB18030, named by its XML declaration or by the Content-Type', async () => {
    const ct = cdaFixture('exam-chest-ct')
      .replace('<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0" encoding="GB18030"?>')
      .replace('RIS-DOC-CT20251203015', 'RIS-DOC-CT20251203016')
      .replace('extension="CT20251203015"', 'extension="CT20251203016"');
    const byDeclaration = await postCda(hub, encodeText(ct, 'gb18030'), KEYS.C002);
    expect(byDeclaration.status).toBe(201);
    const [report] = await read('imaging.C002.CT20251203016');
    expect(report!.conclusion).toBe('右肺下叶炎症可能，建议抗炎治疗后复查。');
    const byCharset = await postCda(
      hub,
      encodeText(ct.replace('encoding="GB18030"', 'encoding="UTF-8"'), 'gb18030'),
      KEYS.C002,
      'application/hl7-cda+xml; charset=GBK',
    );
    expect([byCharset.status, byCharset.body.recorded]).toEqual([200, false]);
  });

  it('takes a CDA inside an MDM^T02 (OBX ED base64) over MLLP: AA after the append, AE at OBX-5 with the XPath', async () => {
    const us = cdaFixture('exam-abdominal-ultrasound')
      .replace('US-DOC-20251204-0009', 'US-DOC-20251204-0010')
      .replace('extension="US20251204009"', 'extension="US20251204010"');
    const ack = await h001.send(mdmWithCda('MDM-CDA-0001', us));
    expect(segment(ack, 'MSA').slice(1, 3)).toEqual(['AA', 'MDM-CDA-0001']);
    const events = await hub.store.readStream('imaging-H001-US20251204010');
    // a CDA document, whether posted or carried in an MDM, is labelled with its own protocol
    expect(events.map((e) => [e.type, e.metadata.source.protocol])).toEqual([
      ['ImagingReportRecorded', 'cda'],
    ]);
    const [report] = await read('imaging.H001.US20251204010');
    expect(errorsOf(report!)).toEqual([]);
    expect(report!.conclusion).toBe('脂肪肝（轻度）\n胆、胰、脾未见明显异常');

    // the document already posted over HTTP, now inside an MDM: the same stream, nothing new
    const again = await h001.send(mdmWithCda('MDM-CDA-0002', cdaFixture('exam-abdominal-ultrasound')));
    expect(segment(again, 'MSA')[1]).toBe('AA');
    expect(await hub.store.readStream('imaging-H001-US20251204009')).toHaveLength(1);

    // a lab report (C0007) inside an MDM goes the lab way: the lab report stream
    const lab = cdaFixture('lab-biochemistry-panel')
      .replace('LIS-DOC-20251201-0001', 'LIS-DOC-20251201-0002')
      .replace('extension="JY20251201-0042"', 'extension="JY20251201-0043"');
    expect(segment(await h001.send(mdmWithCda('MDM-CDA-0004', lab)), 'MSA')[1]).toBe('AA');
    expect((await hub.store.readStream('labreport-H001-JY20251201-0043')).map((e) => e.type)).toEqual([
      'LabReportRecorded',
    ]);
    const [labReport] = await read('H001.JY20251201-0043');
    expect(errorsOf(labReport!)).toEqual([]);

    const bad = us.replace(/<id root="2\.16\.156\.10011\.1\.32" extension="[^"]*"\/>/, '');
    const refused = await h001.send(mdmWithCda('MDM-CDA-0003', bad));
    expect(segment(refused, 'MSA').slice(1, 3)).toEqual(['AE', 'MDM-CDA-0003']);
    const err = segment(refused, 'ERR');
    expect(err[2]).toBe('OBX^1^5');
    expect(err[3]).toMatch(/^101/);
    expect(err[8]).toBe(
      "/ClinicalDocument/recordTarget/patientRole/id[@root='2.16.156.10011.1.32']/@extension: missing (检查报告单号, the accession)",
    );
  });

  it('lands the same lab report sent as CDA and as HL7 v2 ORU^R01 in one stream', async () => {
    const stream = 'labreport-H001-JY20251201-0042';
    const oru = [
      'MSH|^~\\&|LIS|H001|YILIAN|HUB|20251201110000+0800||ORU^R01^ORU_R01|ORU-CDA-0001|P|2.5.1|||||CHN|UNICODE UTF-8',
      'PID|1||MZ20251201007^^^H001^MR~11010519491231002X^^^&2.16.156.10011.1.3&ISO^NNCHN||测试^患者||19491231|F',
      'ORC|RE|SQ20251201-0318|JY20251201-0042',
      'OBR|1|SQ20251201-0318|JY20251201-0042^LIS|24323-8^Comprehensive metabolic 2000 panel^LN|||20251201081500+0800|||||||||||||||20251201102800+0800||CH|C',
      'OBX|1|NM|2823-3^钾^LN^K^钾^L||5.6|mmol/L^mmol/L^UCUM|3.5-5.3|H|||C',
      'OBX|2|NM|2951-2^钠^LN^NA^钠^L||139|mmol/L^mmol/L^UCUM|137-147|N|||C',
    ].join('\r');
    const ack = await h001.send(oru);
    expect(segment(ack, 'MSA').slice(1, 3)).toEqual(['AA', 'ORU-CDA-0001']);
    const events = await hub.store.readStream(stream);
    expect(events.map((e) => [e.type, e.metadata.source.protocol, e.metadata.source.messageId])).toEqual([
      ['LabReportRecorded', 'cda', 'cda:2.16.156.10011.1.1^LIS-DOC-20251201-0001'],
      ['LabReportRecorded', 'hl7v2', 'ORU-CDA-0001'],
    ]);
    const versions = await read('H001.JY20251201-0042', 2);
    expect(versions).toHaveLength(2);
    for (const v of versions) expect(errorsOf(v)).toEqual([]);
  });
});
