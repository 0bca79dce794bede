import { classifyImagingMessage, parseHl7 } from '../../src';
import { fixture, fixtureNames, setField, withSegment } from '../fixtures';
import { imagingFixture, imagingFixtureNames } from './imaging-fixtures';

function classify(text: string) {
  const parsed = parseHl7(text);
  if (!parsed.ok) throw new Error('fixture does not parse');
  return classifyImagingMessage(parsed.message);
}

describe('which HL7 v2 messages are imaging', () => {
  it.each(imagingFixtureNames())('%s is imaging', (name) => {
    expect(classify(imagingFixture(name))).toMatchObject({ ok: true });
  });

  it.each(fixtureNames())('lab fixture %s is not imaging (it stays on the lab path)', (name) => {
    expect(classify(fixture(name))).toBeUndefined();
  });

  it('tells an imaging ORU^R01 by OBR-24 alone, and a lab one with OBR-24 LAB or HM is not', () => {
    const oru = imagingFixture('cn-ris-oru-us-remote-v25.hl7');
    expect(classify(oru)).toMatchObject({ ok: true, type: 'ORU^R01' });
    for (const section of ['LAB', 'HM', 'CH', '']) {
      expect(classify(withSegment(oru, 'OBR', 1, (l) => setField(l, 24, section)))).toBeUndefined();
    }
    for (const section of ['MR', 'DR', 'RAD', 'NMR', 'RUS', 'XA']) {
      expect(classify(withSegment(oru, 'OBR', 1, (l) => setField(l, 24, section)))).toMatchObject({
        ok: true,
      });
    }
  });

  it('tells an imaging ORU^R01 by a ZDS segment or a Study Instance UID in an OBX', () => {
    const lab = withSegment(imagingFixture('cn-ris-oru-ct-chest-v24.hl7'), 'OBR', 1, (l) =>
      setField(l, 24, ''),
    );
    expect(classify(lab)).toMatchObject({ ok: true });
    const noUid = withSegment(
      withSegment(lab, 'OBX', 4, () => null),
      'OBX',
      6,
      () => null,
    );
    expect(classify(noUid)).toBeUndefined();
    expect(classify(`${noUid}\rZDS|1.2.3^PACS^Application^DICOM`)).toMatchObject({ ok: true });
  });

  it('takes ORM^O01 only with ZDS, IPC or an imaging section; OMI^O23 always, though classifyMessage does not know it', () => {
    const orm = imagingFixture('cn-pacs-orm-dr-v23.hl7');
    const plain = withSegment(
      withSegment(orm, 'ZDS', 1, () => null),
      'OBR',
      1,
      (l) => setField(l, 24, 'LAB'),
    );
    expect(classify(plain)).toBeUndefined();
    expect(classify(imagingFixture('cn-pacs-omi-ct-v251.hl7'))).toEqual({
      ok: true,
      type: 'OMI^O23',
      version: '2.5.1',
      controlId: 'PACS0312000045',
    });
  });

  it('keeps the header checks: an OMI^O23 in version 2.2 is refused with 203', () => {
    const omi = withSegment(imagingFixture('cn-pacs-omi-ct-v251.hl7'), 'MSH', 1, (l) =>
      setField(l, 12, '2.2'),
    );
    expect(classify(omi)).toEqual({ ok: false, errors: [expect.objectContaining({ field: 12, code: 203 })] });
  });
});
