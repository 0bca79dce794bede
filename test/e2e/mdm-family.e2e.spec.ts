/**
 * The MDM family over the real MLLP socket, each event as the standard defines it, as versions
 * of one imaging report read back through the platform's FHIR API (valid R4): T01 notification
 * (registered, content to follow), T02 content (preliminary), T03 status change (final, same
 * content), T05 addendum notification and T06 addendum content (appended), T07 / T09 / T04; a
 * document type the hub does not keep: AE naming TXA-2, not a refusal of the family.
 */
import type { fhir4 } from '@yilian/contracts';
import { validateFhirResource } from '@yilian/fhir';
import { MllpClient } from '@yilian/hl7v2';
import { setField, withSegment } from '../../libs/hl7v2/test/fixtures';
import { imagingFixture } from '../../libs/hl7v2/test/imaging/imaging-fixtures';
import { eventually, platformClient, startTestHub } from './hub-harness';

type Hub = Awaited<ReturnType<typeof startTestHub>>;
const REPORT_ID = 'imaging.H001.MR-H001-0001';
const STREAM = 'imaging-H001-MR-H001-0001';
const field = (ack: string, name: string, n: number) =>
  (ack.split('\r').find((s) => s.startsWith(`${name}|`)) ?? '').split('|')[name === 'MSH' ? n - 1 : n];

describe('hub: the MDM family (T01 – T11) over MLLP', () => {
  let hub: Hub;
  let h001: MllpClient;
  beforeAll(async () => {
    hub = await startTestHub('hub_mdm_family');
    h001 = await MllpClient.connect(hub.mllpPorts.get('H001')!);
  });
  afterAll(async () => {
    await h001?.close();
    await hub?.stop();
  });

  const versions = async () =>
    (await hub.store.readStream(STREAM))
      .filter((e) => e.type === 'ImagingReportRecorded')
      .map((e) => (e.data as { report: fhir4.DiagnosticReport }).report);
  const send = async (name: string) => {
    const ack = await h001.send(imagingFixture(name));
    expect([name, field(ack, 'MSA', 1), field(ack, 'ERR', 8) ?? '']).toEqual([name, 'AA', '']);
    return ack;
  };

  it('T01 → T02 → T03 → T05 → T06: one report, a version each, read back valid R4', async () => {
    await send('cn-mdm-t01-mr-notice-v26.hl7');
    await send('cn-mdm-t02-mr-report-v26.hl7');
    await send('cn-mdm-t03-mr-status-v28.hl7');
    await send('cn-mdm-t05-mr-addendum-notice-v28.hl7');
    await send('cn-mdm-t06-mr-addendum-v28.hl7');
    const reports = await versions();
    expect(reports.map((r) => r.status)).toEqual([
      'registered',
      'preliminary',
      'final',
      'appended',
      'appended',
    ]);
    expect(reports[0]!.presentedForm ?? reports[0]!.conclusion).toBeUndefined();
    expect(reports[2]!.conclusion).toBe(reports[1]!.conclusion);
    expect(reports[4]!.conclusion).toContain('腔隙性脑梗死');
    expect(reports[4]!.conclusion).toContain('补充：对比2024年旧片');

    const read = await eventually(
      async () =>
        (await platformClient(hub).read({
          resourceType: 'DiagnosticReport',
          id: REPORT_ID,
        })) as fhir4.DiagnosticReport,
      (r) => r.status === 'appended',
    );
    expect(read.status).toBe('appended');
    expect(validateFhirResource(read).filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('T07 (edit notification) sets the status TXA-17 gives (IP: preliminary); T04 carries the new content, final', async () => {
    await send('cn-mdm-t07-mr-edit-notice-v29.hl7');
    await send('cn-mdm-t04-mr-status-content-v27.hl7');
    const reports = await versions();
    expect(reports.slice(-2).map((r) => r.status)).toEqual(['preliminary', 'final']);
    expect(reports.at(-1)!.conclusion).toContain('（修订）');
  });

  it('a revision naming a document the hub does not have: AE 204 at TXA-13 (T09) — nothing appended', async () => {
    const before = (await versions()).length;
    const ack = await h001.send(
      withSegment(imagingFixture('cn-mdm-t09-mr-replace-notice-v29.hl7'), 'TXA', 1, (l) =>
        setField(l, 13, 'RPT-MR-9999^RIS'),
      ),
    );
    expect(field(ack, 'MSA', 1)).toBe('AE');
    expect(field(ack, 'ERR', 2)).toBe('TXA^1^13^^1');
    expect((await versions()).length).toBe(before);
  });

  it('a document type the hub does not keep (TXA-2 DS, discharge summary): AE 103 naming TXA-2, the family still taken', async () => {
    const ds = withSegment(
      imagingFixture('cn-mdm-t02-mr-report-v26.hl7').replace('MDM26-0002', 'MDM26-0099'),
      'TXA',
      1,
      (l) => setField(l, 2, 'DS^Discharge summary^HL70270'),
    );
    const ack = await h001.send(ds);
    expect(field(ack, 'MSA', 1)).toBe('AE');
    expect(field(ack, 'ERR', 2)).toBe('TXA^1^2');
    expect(field(ack, 'ERR', 3)).toMatch(/^103\^/);
    expect(field(ack, 'ERR', 8)).toMatch(/not kept by the hub/);
  });
});
