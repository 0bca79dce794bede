import { classifyImagingMessage, parseHl7 } from '../../src';
import { fixture, fixtureNames, setField, withSegment } from '../fixtures';
import { IMAGING_ORDER_FIXTURES, imagingFixture, imagingFixtureNames } from './imaging-fixtures';

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

  it.each(IMAGING_ORDER_FIXTURES)('imaging order %s is no imaging result: it goes the orders way', (name) => {
    expect(classify(imagingFixture(name))).toBeUndefined();
  });
});
