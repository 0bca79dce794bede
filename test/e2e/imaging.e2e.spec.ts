import { fhirPatientId, type fhir4 } from '@yilian/contracts';
import { MllpClient } from '@yilian/hl7v2';
import { PatientKeyer } from '@yilian/patients';
import { ALL_PROJECTIONS, rebuildAndCompare } from '@yilian/projections';
import { oruR01 } from '@yilian/testing';
import { imagingFixture } from '../../libs/hl7v2/test/imaging/imaging-fixtures';
import { fixture as fhirFixture } from '../../libs/fhir/test/fixtures';
import { eventually, KEYS, PATIENT_KEY_SECRET, platformClient, postFhir, startTestHub } from './hub-harness';

type Hub = Awaited<ReturnType<typeof startTestHub>>;
const keyer = new PatientKeyer(PATIENT_KEY_SECRET);
const RESIDENT_ID = '11010519491231002X';
const UID = '1.2.156.112605.14038005400501.20240312093000.1';
const STUDY_ID = 'imaging.C002.CT20240312001';
const STREAM = 'imaging-C002-CT20240312001';

function segment(ack: string, name: string): string[] {
  return (ack.split('\r').find((s) => s.startsWith(`${name}|`)) ?? '').split('|');
}
/** The ACK without its own timestamp (MSH-7). */
const withoutTime = (ack: string) => ack.replace(/^(MSH(?:\|[^|\r]*){5}\|)[^|\r]*/, '$1');

/** C002's PACS reports the chest CT it did (FHIR R4 ImagingStudy, the patient and DICOMweb
 * endpoint contained): the study the OMI^O23 ordered, now existing. */
function pacsStudy(): fhir4.ImagingStudy {
  const patient: fhir4.Patient = {
    resourceType: 'Patient',
    id: 'p',
    identifier: [
      { system: 'urn:yilian:institution:C002:mrn', value: 'C0020001234' },
      { system: 'urn:oid:2.16.156.10011.1.3', value: RESIDENT_ID },
    ],
  };
  const endpoint: fhir4.Endpoint = {
    resourceType: 'Endpoint',
    id: 'wado',
    status: 'active',
    connectionType: {
      system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type',
      code: 'dicom-wado-rs',
    },
    payloadType: [{ text: 'DICOM' }],
    address: `https://pacs.c002.example.cn/dicom-web/studies/${UID}`,
  };
  return {
    resourceType: 'ImagingStudy',
    contained: [patient, endpoint],
    identifier: [
      { system: 'urn:dicom:uid', value: `urn:oid:${UID}` },
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'ACSN' }] },
        system: 'urn:yilian:institution:C002:accession',
        value: 'CT20240312001',
      },
    ],
    status: 'available',
    subject: { reference: '#p' },
    started: '2024-03-12T09:30:00+08:00',
    modality: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: 'CT' }],
    endpoint: [{ reference: '#wado' }],
    numberOfSeries: 3,
    numberOfInstances: 245,
  };
}

/** The imaging centre's report on C002's chest CT, naming the hub's study. */
function centreReport(status: fhir4.DiagnosticReport['status'] = 'final'): fhir4.DiagnosticReport {
  return {
    resourceType: 'DiagnosticReport',
    identifier: [{ system: 'urn:yilian:institution:H001:report', value: 'YXHZ-RPT-20240312-0009' }],
    status,
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'RAD' }] }],
    code: {
      coding: [{ system: 'http://loinc.org', code: '24627-2', display: 'Chest CT' }],
      text: '胸部CT平扫',
    },
    subject: { identifier: { system: 'urn:oid:2.16.156.10011.1.3', value: RESIDENT_ID } },
    effectiveDateTime: '2024-03-12T09:30:00+08:00',
    issued: '2024-03-12T11:18:00+08:00',
    resultsInterpreter: [{ reference: 'Practitioner/D0456', display: '刘远航' }],
    imagingStudy: [{ reference: `ImagingStudy/${STUDY_ID}` }],
    conclusion: '右肺上叶磨玻璃结节（Lung-RADS 2类），建议12个月后低剂量CT复查。',
    conclusionCode: [{ coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'R91' }] }],
  };
}

describe('hub: imaging (检查) from PACS, RIS and the imaging consultation centre', () => {
  let hub: Hub;
  let c002: MllpClient;
  let h001: MllpClient;
  const patient = `Patient/${fhirPatientId(keyer.forResidentId(RESIDENT_ID))}`;
  const search = async (resourceType: string, extra: Record<string, string> = {}, who = patient) =>
    (await platformClient(hub).search({
      resourceType,
      searchParams: { patient: who, ...extra },
    })) as fhir4.Bundle;
  const imagingReports = (b: fhir4.Bundle) =>
    (b.entry ?? []).map((e) => e.resource as fhir4.DiagnosticReport).filter((r) => r.imagingStudy);

  beforeAll(async () => {
    hub = await startTestHub('hub_imaging');
    c002 = await MllpClient.connect(hub.mllpPorts.get('C002')!);
    h001 = await MllpClient.connect(hub.mllpPorts.get('H001')!);
  });
  afterAll(async () => {
    await Promise.all([c002?.close(), h001?.close()]);
    await hub?.stop();
  });

  it('keeps a study done at C002 (ordered by OMI^O23, reported by its PACS) and its report by H001 (FHIR) apart: performer C002, resultsInterpreter H001', async () => {
    // the OMI^O23 is an order (ORI^O24, OrderRecorded): no study yet
    const ack = await c002.send(imagingFixture('cn-pacs-omi-ct-v251.hl7'));
    expect(segment(ack, 'MSA').slice(1, 3)).toEqual(['AA', 'PACS0312000045']);
    expect(segment(ack, 'MSH')[8]).toBe('ORI^O24^ORI_O24');
    expect(segment(ack, 'ORC')[1]).toBe('OK');
    expect((await hub.store.readStream('order-C002-SQ20240312001')).map((e) => e.type)).toEqual([
      'OrderRecorded',
    ]);
    expect(await hub.store.readStream(STREAM)).toHaveLength(0);
    // the study exists when the PACS reports it
    const reported = await postFhir(hub, '/ImagingStudy', pacsStudy(), KEYS.C002);
    expect(reported.status).toBe(201);
    expect((await hub.store.readStream(STREAM)).map((e) => e.type)).toEqual(['ImagingStudyRecorded']);

    const posted = await postFhir(hub, '/DiagnosticReport', centreReport(), KEYS.H001);
    expect(posted.status).toBe(201);
    expect(posted.location).toBe(`DiagnosticReport/${STUDY_ID}/_history/1`);
    const events = await hub.store.readStream(STREAM);
    expect(events[1]).toMatchObject({
      type: 'ImagingReportRecorded',
      data: { performer: 'C002', reporter: 'H001', performerBasis: 'study' },
      metadata: { source: { institution: 'H001', protocol: 'fhir' } },
    });

    const studies = await eventually(
      () => search('ImagingStudy'),
      (b) => (b.total ?? 0) >= 1,
    );
    expect(studies.total).toBe(1);
    const study = studies.entry![0]!.resource as fhir4.ImagingStudy;
    expect(study.id).toBe(STUDY_ID);
    expect(study.identifier).toEqual(
      expect.arrayContaining([
        { system: 'urn:dicom:uid', value: `urn:oid:${UID}` },
        expect.objectContaining({ value: 'CT20240312001', assigner: { reference: 'Organization/C002' } }),
      ]),
    );
    expect(study.modality?.[0]?.code).toBe('CT');
    expect([study.numberOfSeries, study.numberOfInstances]).toEqual([3, 245]);
    const endpoint = study.contained?.find((r) => r.resourceType === 'Endpoint') as fhir4.Endpoint;
    expect(endpoint.address).toBe(`https://pacs.c002.example.cn/dicom-web/studies/${UID}`);

    const reports = await eventually(
      async () => imagingReports(await search('DiagnosticReport')),
      (r) => r.length >= 1,
    );
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      id: STUDY_ID,
      imagingStudy: [{ reference: `ImagingStudy/${STUDY_ID}` }],
      performer: [{ reference: 'Organization/C002' }],
      resultsInterpreter: [{ reference: 'Organization/H001' }, { display: '刘远航' }],
      conclusion: centreReport().conclusion,
      subject: { reference: patient },
    });
  });

  it("links the MRN the PACS sent with the resident ID number: the study is found by C002's MRN too", async () => {
    // eventually: a transaction in flight on the server (the projector's) holds readers' bound back
    const links = await eventually(
      async () =>
        (await hub.store.readAll({ maxCount: 10_000 })).filter((e) => e.type === 'PatientIdentifiersLinked'),
      (l) => l.length >= 1,
    );
    expect(links).toHaveLength(1);
    const byMrn = await eventually(
      () => search('ImagingStudy', {}, `Patient/${fhirPatientId(keyer.forMrn('C002', 'C0020001234'))}`),
      (b) => (b.total ?? 0) >= 1,
    );
    expect(byMrn.entry?.[0]?.resource?.id).toBe(STUDY_ID);
  });

  it('records a correction (MDM^T02 from H001) as a new version, both in _history; a resend is no new event and the same ACK', async () => {
    const correction = imagingFixture('cn-mdm-t02-ct-corrected-v24.hl7');
    const first = await h001.send(correction);
    expect(segment(first, 'MSA')[1]).toBe('AA');
    expect(await hub.store.readStream(STREAM)).toHaveLength(3);
    const again = await h001.send(correction);
    expect(withoutTime(again)).toBe(withoutTime(first));
    expect(await hub.store.readStream(STREAM)).toHaveLength(3);

    const resent = await postFhir(hub, '/DiagnosticReport', centreReport(), KEYS.H001);
    expect([resent.status, resent.location]).toEqual([200, `DiagnosticReport/${STUDY_ID}/_history/1`]);
    expect(await hub.store.readStream(STREAM)).toHaveLength(3);

    const history = await eventually(
      async () =>
        (await platformClient(hub).history({
          resourceType: 'DiagnosticReport',
          id: STUDY_ID,
        })) as fhir4.Bundle,
      (b) => (b.total ?? 0) >= 2,
    );
    const versions = history.entry!.map((e) => e.resource as fhir4.DiagnosticReport);
    expect(versions.map((r) => [r.meta?.versionId, r.status])).toEqual([
      ['2', 'corrected'],
      ['1', 'final'],
    ]);
    expect(versions[0]!.conclusion).toContain('Lung-RADS 3类');
  });

  it('records cancellations as events: a report entered in error, a study cancelled by its PACS (FHIR); an ORM^O01 cancel is an order cancel', async () => {
    const voided = await postFhir(hub, '/DiagnosticReport', centreReport('entered-in-error'), KEYS.H001);
    expect([voided.status, voided.location]).toEqual([201, `DiagnosticReport/${STUDY_ID}/_history/3`]);
    const report = await eventually(
      async () =>
        (await platformClient(hub).read({
          resourceType: 'DiagnosticReport',
          id: STUDY_ID,
        })) as fhir4.DiagnosticReport,
      (r) => r.status === 'entered-in-error',
    );
    expect(report.meta?.versionId).toBe('3');
    const after = await postFhir(hub, '/DiagnosticReport', centreReport('amended'), KEYS.H001);
    expect(after.status).toBe(422);

    // an ORM^O01 (with its imaging section) cancelling an order is an order event, not a study's
    // the PACS names the order by its filler number alone: that order, revoked
    const orm = imagingFixture('cn-pacs-orm-cancel-v23.hl7');
    const byFiller = await c002.send(orm);
    expect([segment(byFiller, 'MSH')[8], segment(byFiller, 'MSA')[1], segment(byFiller, 'ORC')[1]]).toEqual([
      'ORR^O02^ORR_O02',
      'AA',
      'CR',
    ]);
    const [fillerOrder] = await hub.store.readStream('order-C002-filler-US20240316009');
    expect(fillerOrder).toMatchObject({
      type: 'OrderRecorded',
      data: { serviceRequest: { status: 'revoked' } },
    });
    const named = orm.replace('PACS0316000020', 'PACS0316000021').replace('ORC|CA||', 'ORC|CA|PO-US-9^HIS|');
    const ack = await c002.send(named);
    expect([segment(ack, 'MSA')[1], segment(ack, 'ORC')[1]]).toEqual(['AA', 'CR']);
    const [order] = await hub.store.readStream('order-C002-PO-US-9');
    expect(order).toMatchObject({ type: 'OrderRecorded', data: { serviceRequest: { status: 'revoked' } } });
    expect(await hub.store.readStream('imaging-C002-US20240316009')).toHaveLength(0);

    // the PACS cancels the study it reported
    const withdrawn = await postFhir(
      hub,
      '/ImagingStudy',
      { ...pacsStudy(), status: 'cancelled' },
      KEYS.C002,
    );
    expect(withdrawn.status).toBeLessThan(300);
    const cancelled = await eventually(
      () => search('ImagingStudy'),
      (b) => (b.entry?.[0]?.resource as fhir4.ImagingStudy | undefined)?.status === 'cancelled',
    );
    expect((cancelled.entry![0]!.resource as fhir4.ImagingStudy).id).toBe(STUDY_ID);
  });

  it('takes an ORU^R01 read remotely by H001 for C002 (accession assigned by C002) and refuses what breaks the rules', async () => {
    const ack = await h001.send(imagingFixture('cn-ris-oru-us-remote-v25.hl7'));
    expect(segment(ack, 'MSA')[1]).toBe('AA');
    const [event] = await hub.store.readStream('imaging-C002-US20240316002');
    expect(event).toMatchObject({
      data: { performer: 'C002', reporter: 'H001', performerBasis: 'explicit' },
    });

    // C002 may not rewrite the report H001 issued on its study.
    const fromC002 = imagingFixture('cn-ris-oru-us-remote-v25.hl7').replace(
      'YXHZ-20240316-0042',
      'RIS-C002-9',
    );
    const refused = await c002.send(fromC002.replace('脂肪肝（轻度）', '未见异常'));
    expect(segment(refused, 'MSA')[1]).toBe('AE');
    expect(segment(refused, 'ERR')[2]).toBe('OBR^1^3^^1');
    expect(segment(refused, 'ERR')[8]).toContain('issued by H001');

    const unknown = centreReport();
    unknown.imagingStudy = [{ reference: 'ImagingStudy/imaging.C002.NO-SUCH-STUDY' }];
    const missing = await postFhir(hub, '/DiagnosticReport', unknown, KEYS.H001);
    expect(missing.status).toBe(422);
    expect(JSON.stringify(missing.body)).toContain('DiagnosticReport.imagingStudy[0]');

    // A lab ORU^R01 still goes the lab way.
    const lab = await c002.send(
      oruR01({ controlId: 'LAB-1', accession: 'L-IMG-1', residentId: RESIDENT_ID }),
    );
    expect(segment(lab, 'MSA')[1]).toBe('AA');
    expect(await hub.store.readStream('labreport-C002-L-IMG-1')).toHaveLength(1);
  });

  it('takes the official FHIR R4 ImagingStudy example from C002: UID, modality, counts, started', async () => {
    const example = fhirFixture<fhir4.ImagingStudy>('r4/imagingstudy-example.json');
    const posted = await postFhir(hub, '/ImagingStudy', example, KEYS.C002);
    expect(posted.status).toBe(201);
    const id = /^ImagingStudy\/([^/]+)\/_history\/1$/.exec(posted.location ?? '')?.[1];
    expect(id).toBeDefined();
    const who = `Patient/${fhirPatientId(keyer.forMrn('C002', 'dicom'))}`;
    const found = await eventually(
      () => search('ImagingStudy', { modality: 'CT' }, who),
      (b) => (b.total ?? 0) >= 1,
    );
    const study = found.entry![0]!.resource as fhir4.ImagingStudy;
    expect(study).toMatchObject({
      id,
      status: 'available',
      started: '2011-01-01T11:01:20+03:00',
      numberOfSeries: 1,
      numberOfInstances: 1,
      subject: { reference: who },
    });
    expect(study.identifier?.map((i) => i.value)).toContain(
      'urn:oid:2.16.124.113543.6003.1154777499.30246.19789.3503430045',
    );
    expect(study.series?.[0]?.modality.code).toBe('CT');
    const again = await postFhir(hub, '/ImagingStudy', example, KEYS.C002);
    expect([again.status, again.location]).toEqual([200, posted.location]);
  });

  it('rebuilds the imaging read models from the log to the same tables', async () => {
    const rebuild = () =>
      rebuildAndCompare({ store: hub.store, readModelUrl: hub.databaseUrl, projections: ALL_PROJECTIONS });
    const same = await eventually(rebuild, (r) => r.identical);
    expect(same.tables.map((t) => t.table)).toEqual(
      expect.arrayContaining(['rm_imaging_studies', 'rm_imaging_study_versions', 'rm_lab_reports']),
    );
    expect(same.tables.filter((t) => !t.same)).toEqual([]);
  });
});
