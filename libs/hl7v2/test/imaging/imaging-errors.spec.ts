import { mapImagingMessage } from '../../src';
import { setField, withSegment } from '../fixtures';
import { imagingFixture } from './imaging-fixtures';

function errorsOf(text: string, institution = 'C002') {
  const result = mapImagingMessage(text, { institution });
  if (result.ok) throw new Error('expected the message to be refused');
  return result.errors.map(({ segment, sequence, field, code }) => ({ segment, sequence, field, code }));
}

const oru = imagingFixture('cn-ris-oru-ct-chest-v24.hl7');
const mdm = imagingFixture('cn-mdm-t02-ct-report-v25.hl7');

describe('imaging HL7 v2 mapping: what is refused, and where', () => {
  it('an ORU^R01 without accession, examination or status → 101 each', () => {
    let bad = withSegment(oru, 'OBR', 1, (l) =>
      setField(setField(setField(setField(l, 2, ''), 3, ''), 18, ''), 4, ''),
    );
    bad = withSegment(bad, 'ORC', 1, (l) => setField(setField(l, 2, ''), 3, ''));
    bad = withSegment(bad, 'OBR', 1, (l) => setField(l, 25, ''));
    for (let n = 1; n <= 7; n++) bad = withSegment(bad, 'OBX', n, (l) => setField(l, 11, ''));
    expect(errorsOf(bad)).toEqual(
      expect.arrayContaining([
        { segment: 'OBR', sequence: 1, field: 3, code: 101 },
        { segment: 'OBR', sequence: 1, field: 4, code: 101 },
        { segment: 'OBR', sequence: 1, field: 25, code: 101 },
      ]),
    );
  });

  it('an MDM^T02 that is not an imaging document, or has no completion status → at TXA', () => {
    expect(
      errorsOf(
        withSegment(mdm, 'TXA', 1, (l) => setField(l, 2, 'DS^Discharge summary^HL70270')),
        'H001',
      ),
    ).toEqual([{ segment: 'TXA', sequence: 1, field: 2, code: 103 }]);
    expect(
      errorsOf(
        withSegment(mdm, 'TXA', 1, (l) => setField(l, 17, '')),
        'H001',
      ),
    ).toEqual([{ segment: 'TXA', sequence: 1, field: 17, code: 101 }]);
    expect(
      errorsOf(
        withSegment(mdm, 'TXA', 1, (l) => setField(setField(l, 15, ''), 14, '')),
        'H001',
      ),
    ).toEqual([{ segment: 'TXA', sequence: 1, field: 15, code: 101 }]);
  });

  it('an MDM^T02 cancelled (TXA-19 CA) maps to a cancelled report', () => {
    const result = mapImagingMessage(
      withSegment(mdm, 'TXA', 1, (l) => setField(l, 19, 'CA')),
      { institution: 'H001' },
    );
    expect(result.ok && result.drafts[0]?.report?.status).toBe('cancelled');
  });

  it('a bad resident ID number in PID-3 → 102, its value never repeated', () => {
    const bad = oru.replace('11010519491231002X', '110105194912310021');
    const result = mapImagingMessage(bad, { institution: 'C002' });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain('110105194912310021');
    expect(errorsOf(bad)).toEqual([{ segment: 'PID', sequence: 1, field: 3, code: 102 }]);
  });

  it('a message that is not imaging → 200; never throws on garbage', () => {
    expect(errorsOf('MSH|^~\\&|LIS|H001|Y|H|20240101||ORU^R01|X1|P|2.5\rOBR|1||L1|K^钾')).toEqual([
      { segment: 'MSH', sequence: 1, field: 9, code: 200 },
    ]);
    expect(mapImagingMessage('\u0000garbage', { institution: 'C002' }).ok).toBe(false);
  });
});
