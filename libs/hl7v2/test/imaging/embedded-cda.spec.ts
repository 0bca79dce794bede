import { embeddedCdaOf, parseHl7 } from '../../src';
import { setField, withSegment } from '../fixtures';
import { imagingFixture } from './imaging-fixtures';

const CDA =
  '<?xml version="1.0" encoding="UTF-8"?><ClinicalDocument xmlns="urn:hl7-org:v3"><title>检验报告</title></ClinicalDocument>';
const message = (obx5: string) => {
  const text = withSegment(imagingFixture('cn-mdm-t02-mr-report-v26.hl7'), 'OBX', 2, (l) =>
    setField(setField(l, 2, 'ED'), 5, obx5),
  );
  const parsed = parseHl7(text);
  if (!parsed.ok) throw new Error('fixture does not parse');
  return parsed.message;
};

describe('a CDA document inside an MDM (OBX ED)', () => {
  it('finds a base64 CDA in OBX-5 (source ^ type ^ subtype ^ encoding ^ data), with where it was and TXA-2 / TXA-12', () => {
    const found = embeddedCdaOf(message(`HIS^TEXT^XML^Base64^${Buffer.from(CDA).toString('base64')}`));
    expect(found).toEqual({
      xml: CDA,
      at: { segment: 'OBX', sequence: 2, field: 5 },
      documentType: 'DI',
      documentNumber: 'RPT-MR-0001',
    });
  });

  it('ignores ED that is no CDA, broken base64, and messages without ED', () => {
    expect(
      embeddedCdaOf(message(`^application^pdf^Base64^${Buffer.from('%PDF-1.4').toString('base64')}`)),
    ).toBeUndefined();
    expect(embeddedCdaOf(message('^TEXT^XML^Base64^@@not base64@@'))).toBeUndefined();
    const plain = parseHl7(imagingFixture('cn-mdm-t02-mr-report-v26.hl7'));
    expect(plain.ok && embeddedCdaOf(plain.message)).toBeUndefined();
  });
});
