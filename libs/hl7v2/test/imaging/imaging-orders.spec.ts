/**
 * Imaging orders (OMI^O23, ORM^O01 with IPC / ZDS) are orders: the orders mapper's ServiceRequest
 * with the imaging part (accession, requested procedure, study UID to be, modality, body site),
 * valid R4; what the standard requires of IPC refused at the field. No study is made of them.
 */
import { validateFhirResource } from '@yilian/fhir';
import { mapImagingMessage, mapOrderMessage, type OrderMessageType, parseHl7 } from '../../src';
import { setField, withSegment } from '../fixtures';
import { imagingFixture } from './imaging-fixtures';

const UID_CT = '1.2.156.112605.14038005400501.20240312093000.1';
const DCM = 'http://dicom.nema.org/resources/ontology/DCM';

function mapped(text: string, type: OrderMessageType = 'OMI^O23', institution = 'C002') {
  const p = parseHl7(text);
  if (!p.ok) throw new Error('not HL7');
  return mapOrderMessage(p.message, { institution, type });
}
function onlyOrder(text: string, type?: OrderMessageType) {
  const result = mapped(text, type);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  expect(result.orders).toHaveLength(1);
  return result.orders[0]!;
}
function errorsOf(text: string, type?: OrderMessageType) {
  const result = mapped(text, type);
  if (result.ok) throw new Error('expected the message to be refused');
  return result.errors.map(({ segment, sequence, field, code }) => ({ segment, sequence, field, code }));
}
const omi = imagingFixture('cn-pacs-omi-ct-v251.hl7');

describe('imaging orders → ServiceRequest (the orders mapper, imaging part)', () => {
  it('OMI^O23 v2.5.1: placer, accession (ACSN, with the filler number), requested procedure, study UID, modality, body site, imaging category; valid R4', () => {
    const order = onlyOrder(omi);
    expect(order).toMatchObject({
      placerOrderNumber: 'SQ20240312001',
      orderControl: 'SC',
      imaging: { modality: 'CT', bodySite: { code: 'XB01', display: '胸部' } },
    });
    const sr = order.serviceRequest;
    expect(sr.identifier).toEqual([
      expect.objectContaining({ system: 'urn:yilian:institution:C002:placer', value: 'SQ20240312001' }),
      {
        type: {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'FILL' },
            { system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'ACSN' },
          ],
        },
        system: 'urn:yilian:institution:C002:accession',
        value: 'CT20240312001',
      },
      { system: 'urn:yilian:institution:C002:requested-procedure', value: 'RP20240312001' },
      { system: 'urn:dicom:uid', value: `urn:oid:${UID_CT}` },
    ]);
    expect(sr).toMatchObject({
      status: 'completed', // ORC-5 CM
      intent: 'order',
      category: [{ coding: [{ system: 'http://snomed.info/sct', code: '363679005' }] }],
      code: { coding: [{ code: 'CT0101', display: '胸部CT平扫' }] },
      orderDetail: [{ coding: [{ system: DCM, code: 'CT' }] }],
      bodySite: [{ coding: [{ code: 'XB01', display: '胸部' }] }],
    });
    expect(
      validateFhirResource({ ...sr, subject: { reference: 'Patient/pk_x' } }).filter(
        (i) => i.severity === 'error',
      ),
    ).toEqual([]);
  });

  it('an ORM^O01 with ZDS is an imaging order too: UID from ZDS-1, DR read as DICOM DX; without a placer number known by its filler number', () => {
    const orm = imagingFixture('cn-pacs-orm-dr-v23.hl7');
    const byFiller = onlyOrder(orm, 'ORM^O01');
    const fillerNumber = byFiller.serviceRequest.identifier?.find(
      (i) => i.type?.coding?.[0]?.code === 'FILL',
    )?.value;
    expect(fillerNumber).toBeTruthy();
    expect(byFiller.placerOrderNumber).toBe(`filler-${fillerNumber}`);
    expect(byFiller.serviceRequest.identifier?.some((i) => i.system?.endsWith(':placer'))).toBe(false);
    const order = onlyOrder(
      withSegment(orm, 'ORC', 1, (l) => setField(l, 2, 'PO-DR-1^HIS')),
      'ORM^O01',
    );
    expect(order.placerOrderNumber).toBe('PO-DR-1');
    expect(order.serviceRequest.id).not.toBe(byFiller.serviceRequest.id);
    expect(order.imaging).toMatchObject({ modality: 'DX', bodySite: { code: 'XB01' } });
    expect(order.serviceRequest.identifier).toContainEqual({
      system: 'urn:dicom:uid',
      value: 'urn:oid:1.2.156.112605.14038005400501.20240315135500.7',
    });
    expect(order.serviceRequest.category?.[0]?.coding?.[0]?.code).toBe('363679005');
  });

  it("a PACS cancel naming the order by the filler's number alone is that order, revoked; with no number at all → 101 at ORC-2", () => {
    const cancel = imagingFixture('cn-pacs-orm-cancel-v23.hl7');
    const order = onlyOrder(cancel, 'ORM^O01');
    expect([order.placerOrderNumber, order.orderControl, order.serviceRequest.status]).toEqual([
      'filler-US20240316009',
      'CA',
      'revoked',
    ]);
    const unnamed = withSegment(
      withSegment(cancel, 'ORC', 1, (l) => setField(l, 3, '')),
      'OBR',
      1,
      (l) => setField(l, 3, ''),
    );
    expect(errorsOf(unnamed, 'ORM^O01')).toEqual([{ segment: 'ORC', sequence: 1, field: 2, code: 101 }]);
  });

  it('refuses at the field: IPC-1 .. IPC-4 missing 101, a UID that is none 102, a modality outside DICOM 103, no OBR 100', () => {
    for (const field of [1, 2, 3, 4])
      expect(errorsOf(withSegment(omi, 'IPC', 1, (l) => setField(l, field, '')))).toContainEqual({
        segment: 'IPC',
        sequence: 1,
        field,
        code: 101,
      });
    expect(errorsOf(withSegment(omi, 'IPC', 1, (l) => setField(l, 3, '1.2.abc')))).toEqual([
      { segment: 'IPC', sequence: 1, field: 3, code: 102 },
    ]);
    expect(errorsOf(withSegment(omi, 'IPC', 1, (l) => setField(l, 5, 'XYZ')))).toEqual([
      { segment: 'IPC', sequence: 1, field: 5, code: 103 },
    ]);
    expect(errorsOf(withSegment(omi, 'OBX', 2, (l) => setField(l, 5, '24.5')))).toEqual([
      { segment: 'OBX', sequence: 2, field: 5, code: 102 },
    ]);
    const noObr = withSegment(
      withSegment(omi, 'OBR', 1, () => null),
      'IPC',
      1,
      () => null,
    );
    expect(errorsOf(noObr)).toContainEqual({ segment: 'OBR', sequence: 1, field: undefined, code: 100 });
  });

  it('makes no study: the imaging results mapper does not take an order', () => {
    const result = mapImagingMessage(omi, { institution: 'C002' });
    expect(result).toMatchObject({ ok: false, errors: [{ segment: 'MSH', field: 9, code: 200 }] });
  });
});
