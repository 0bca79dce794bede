/**
 * Imaging report documents over MLLP against the running hub: MDM^T02 then its edit (T08),
 * replacement (T10) and cancellation (T11), each a version of the one report; a revision of a
 * report the hub never had refused at TXA-12; orders answered with their application responses
 * (ORI^O24 to OMI^O23, ORR^O02 to ORM^O01).
 */
import type { fhir4 } from '@yilian/contracts';
import { MllpClient } from '@yilian/hl7v2';
import { ALL_PROJECTIONS, rebuildAndCompare } from '@yilian/projections';
import { setField, withSegment } from '../../libs/hl7v2/test/fixtures';
import { imagingFixture } from '../../libs/hl7v2/test/imaging/imaging-fixtures';
import { eventually, platformClient, startTestHub } from './hub-harness';

type Hub = Awaited<ReturnType<typeof startTestHub>>;
const REPORT_ID = 'imaging.C002.CT20240312001';
const STREAM = 'imaging-C002-CT20240312001';
const DOCUMENT = 'urn:yilian:institution:H001:document';

function segment(ack: string, name: string): string[] {
  return (ack.split('\r').find((s) => s.startsWith(`${name}|`)) ?? '').split('|');
}
/** The ACK without its own timestamp (MSH-7). */
const withoutTime = (ack: string) => ack.replace(/^(MSH(?:\|[^|\r]*){5}\|)[^|\r]*/, '$1');
const documentOf = (r: fhir4.DiagnosticReport) => r.identifier?.find((i) => i.system === DOCUMENT)?.value;

/** A fixture under another control id (MSH-10). */
function resent(name: string, controlId: string): string {
  return withSegment(imagingFixture(name), 'MSH', 1, (l) => setField(l, 10, controlId));
}

describe('hub: imaging report documents (MDM^T02 / T08 / T10 / T11) and order responses over MLLP', () => {
  let hub: Hub;
  let c002: MllpClient;
  let h001: MllpClient;
  const reportTypes = async () =>
    (await hub.store.readStream(STREAM)).filter((e) => e.type === 'ImagingReportRecorded').length;
  const history = (versions: number) =>
    eventually(
      async () =>
        (await platformClient(hub).history({
          resourceType: 'DiagnosticReport',
          id: REPORT_ID,
        })) as fhir4.Bundle,
      (b) => (b.total ?? 0) >= versions,
    ).then((b) => (b.entry ?? []).map((e) => e.resource as fhir4.DiagnosticReport));

  beforeAll(async () => {
    hub = await startTestHub('hub_imaging_documents');
    c002 = await MllpClient.connect(hub.mllpPorts.get('C002')!);
    h001 = await MllpClient.connect(hub.mllpPorts.get('H001')!);
  });
  afterAll(async () => {
    await Promise.all([c002?.close(), h001?.close()]);
    await hub?.stop();
  });

  it('answers an OMI^O23 with ORI^O24 (MSA AA) and an ORM^O01 with ORR^O02; in enhanced mode the commit ACK stays ACK', async () => {
    const ori = await c002.send(imagingFixture('cn-pacs-omi-ct-v251.hl7'));
    expect(segment(ori, 'MSH')[8]).toBe('ORI^O24^ORI_O24');
    expect(segment(ori, 'MSA').slice(1, 3)).toEqual(['AA', 'PACS0312000045']);
    // an imaging order is an order, not a study
    expect((await hub.store.readStream('order-C002-SQ20240312001')).map((e) => e.type)).toEqual([
      'OrderRecorded',
    ]);
    expect(await hub.store.readStream(STREAM)).toHaveLength(0);

    const ormDr = withSegment(imagingFixture('cn-pacs-orm-dr-v23.hl7'), 'ORC', 1, (l) =>
      setField(l, 2, 'PO-DR-1^HIS'),
    );
    const orr = await c002.send(ormDr);
    expect(segment(orr, 'MSH')[8]).toBe('ORR^O02^ORR_O02');
    expect(segment(orr, 'MSA').slice(1, 3)).toEqual(['AA', 'PACS0315000112']);

    const enhanced = withSegment(ormDr, 'MSH', 1, (l) =>
      setField(setField(setField(l, 10, 'PACS0315000113'), 15, 'AL'), 16, 'AL'),
    );
    const [commit, application] = await c002.sendExpecting(enhanced, 2);
    expect([segment(commit!, 'MSH')[8], segment(commit!, 'MSA')[1]]).toEqual(['ACK^O01^ACK', 'CA']);
    expect([segment(application!, 'MSH')[8], segment(application!, 'MSA')[1]]).toEqual([
      'ORR^O02^ORR_O02',
      'AA',
    ]);

    const noUid = withSegment(imagingFixture('cn-pacs-omi-ct-v251.hl7'), 'IPC', 1, (l) =>
      setField(setField(l, 1, 'CT20240312077^C002'), 3, ''),
    );
    const refused = await c002.send(noUid.replace('PACS0312000045', 'PACS0312000046'));
    expect([segment(refused, 'MSH')[8], segment(refused, 'MSA')[1]]).toEqual(['ORI^O24^ORI_O24', 'AE']);
    expect(segment(refused, 'ERR')[2]).toBe('IPC^1^3');
  });

  it('records T02 then T08 as two versions of one report: the second corrected, the first still readable; a resend is the same ACK and nothing new', async () => {
    const t02 = await h001.send(imagingFixture('cn-mdm-t02-ct-report-v25.hl7'));
    expect([segment(t02, 'MSH')[8], segment(t02, 'MSA')[1]]).toEqual(['ACK^T02^ACK', 'AA']);
    const edit = imagingFixture('cn-mdm-t08-ct-edit-v25.hl7');
    const t08 = await h001.send(edit);
    expect([segment(t08, 'MSH')[8], segment(t08, 'MSA').slice(1, 3)]).toEqual([
      'ACK^T08^ACK',
      ['AA', 'YXHZ-MDM-20240312-0015'],
    ]);
    expect(await reportTypes()).toBe(2);
    const again = await h001.send(edit);
    expect(withoutTime(again)).toBe(withoutTime(t08));
    expect(await reportTypes()).toBe(2);

    const versions = await history(2);
    expect(versions.map((r) => [r.meta?.versionId, r.status, documentOf(r)])).toEqual([
      ['2', 'corrected', 'YXHZ-RPT-20240312-0009'],
      ['1', 'final', 'YXHZ-RPT-20240312-0009'],
    ]);
    expect(versions[0]!.conclusion).toBe(
      '右肺上叶后段磨玻璃结节（Lung-RADS 2类），建议12个月后低剂量CT复查。',
    );
    expect(versions[1]!.conclusion).toBe('右肺上叶磨玻璃结节（Lung-RADS 2类），建议12个月后低剂量CT复查。');
    expect(versions[0]).toMatchObject({
      id: REPORT_ID,
      performer: [{ reference: 'Organization/C002' }],
      resultsInterpreter: [{ reference: 'Organization/H001' }, { display: '刘远航' }],
      issued: '2024-03-12T14:00:00+08:00',
    });
  });

  it('records a T10 naming the replaced document (TXA-13) as the next version under the new document number; the replaced number is refused afterwards', async () => {
    const t10 = await h001.send(imagingFixture('cn-mdm-t10-ct-replace-v25.hl7'));
    expect(segment(t10, 'MSA')[1]).toBe('AA');
    const current = await eventually(
      async () =>
        (await platformClient(hub).read({
          resourceType: 'DiagnosticReport',
          id: REPORT_ID,
        })) as fhir4.DiagnosticReport,
      (r) => r.meta?.versionId === '3',
    );
    expect([current.meta?.versionId, current.status, documentOf(current)]).toEqual([
      '3',
      'corrected',
      'YXHZ-RPT-20240313-0004',
    ]);
    expect(current.conclusion).toContain('Lung-RADS 3类');
    expect(current.resultsInterpreter?.[1]).toMatchObject({ display: '孙主任' });

    const stale = await h001.send(resent('cn-mdm-t08-ct-edit-v25.hl7', 'YXHZ-MDM-20240313-0009'));
    expect(segment(stale, 'MSA')[1]).toBe('AE');
    expect(segment(stale, 'ERR').slice(2, 4)).toEqual(['TXA^1^12^^1', '204^Unknown key identifier^HL70357']);
    expect(segment(stale, 'ERR')[8]).toContain('its document is YXHZ-RPT-20240313-0004');
    expect(await reportTypes()).toBe(3);
  });

  it('refuses a revision of a report the hub never recorded: AE at TXA-12, nothing recorded, the same AE again', async () => {
    const unknown = withSegment(
      resent('cn-mdm-t08-ct-edit-v25.hl7', 'YXHZ-MDM-20240313-0010'),
      'TXA',
      1,
      (l) => setField(l, 15, 'CT20240399999^C002'),
    );
    const ack = await h001.send(unknown);
    expect([segment(ack, 'MSH')[8], segment(ack, 'MSA')[1]]).toEqual(['ACK^T08^ACK', 'AE']);
    expect(segment(ack, 'ERR').slice(2, 4)).toEqual(['TXA^1^12^^1', '204^Unknown key identifier^HL70357']);
    expect(segment(ack, 'ERR')[8]).toBe(
      'no report document YXHZ-RPT-20240312-0009 on CT20240399999 of C002 is recorded: send the report first',
    );
    expect(await hub.store.readStream('imaging-C002-CT20240399999')).toEqual([]);
    expect(withoutTime(await h001.send(unknown))).toBe(withoutTime(ack));
  });

  it('records a T11 as the cancellation of the report: entered-in-error, every version in _history, nothing more after it', async () => {
    const t11 = await h001.send(imagingFixture('cn-mdm-t11-ct-cancel-v25.hl7'));
    expect([segment(t11, 'MSH')[8], segment(t11, 'MSA')[1]]).toEqual(['ACK^T11^ACK', 'AA']);
    const versions = await history(4);
    expect(versions.map((r) => [r.meta?.versionId, r.status])).toEqual([
      ['4', 'entered-in-error'],
      ['3', 'corrected'],
      ['2', 'corrected'],
      ['1', 'final'],
    ]);
    // the void version names what was voided: the replacement's content and number
    expect(versions[0]!.conclusion).toContain('Lung-RADS 3类');
    expect(documentOf(versions[0]!)).toBe('YXHZ-RPT-20240313-0004');
    expect(versions[0]!.issued).toBe('2024-03-14T08:25:00+08:00');

    const after = await h001.send(
      withSegment(resent('cn-mdm-t08-ct-edit-v25.hl7', 'YXHZ-MDM-20240314-0002'), 'TXA', 1, (l) =>
        setField(l, 12, 'YXHZ-RPT-20240313-0004^YXHZ'),
      ),
    );
    expect(segment(after, 'MSA')[1]).toBe('AE');
    expect(segment(after, 'ERR')[8]).toContain('entered-in-error');
    expect(await reportTypes()).toBe(4);
  });

  it('rebuilds the read models from the log to the same tables', async () => {
    const rebuild = () =>
      rebuildAndCompare({ store: hub.store, readModelUrl: hub.databaseUrl, projections: ALL_PROJECTIONS });
    const same = await eventually(rebuild, (r) => r.identical);
    expect(same.tables.filter((t) => !t.same)).toEqual([]);
  });
});
