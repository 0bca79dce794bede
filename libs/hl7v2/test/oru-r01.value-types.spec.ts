import { LOINC, UCUM } from '../src';
import { mapped, observationByCode } from './fixtures';

const INTERPRETATION = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
const RESIDENT_ID = '11010519491231002X';

describe('ORU^R01 lab mapping: value types, identifiers and sender styles', () => {
  it('maps SN values to quantities with comparator, ranges, ratios and strings', () => {
    const { reports } = mapped('cn-lis-sn-values-v251.hl7');
    const draft = reports[0]!;
    expect(observationByCode(draft, 'HBSAB').valueQuantity).toEqual({
      value: 1000,
      comparator: '>',
      unit: 'mIU/mL',
    });
    expect(observationByCode(draft, 'HBSAB').code.coding?.[1]).toMatchObject({
      system: LOINC,
      code: '16935-9',
    });
    expect(observationByCode(draft, 'PCT').valueQuantity).toEqual({
      value: 0.05,
      comparator: '<',
      unit: 'ng/mL',
    });
    expect(observationByCode(draft, 'PCT').referenceRange).toEqual([
      { high: { value: 0.5, unit: 'ng/mL' }, text: '<0.5' },
    ]);
    expect(observationByCode(draft, 'ASO').valueRatio).toEqual({
      numerator: { value: 1 },
      denominator: { value: 128 },
    });
    expect(observationByCode(draft, 'WBCU').valueRange).toEqual({
      low: { value: 5, unit: '/HP' },
      high: { value: 10, unit: '/HP' },
    });
    expect(observationByCode(draft, 'UPRO').valueString).toBe('2+');
    expect(observationByCode(draft, 'UPRO').referenceRange).toEqual([{ text: '阴性' }]);
    expect(observationByCode(draft, 'TROPI').valueQuantity).toEqual({ value: 0.02, unit: 'ng/mL' });
    expect(observationByCode(draft, 'TROPI').referenceRange?.[0]?.high?.value).toBe(0.04);
  });

  it('maps text, formatted text with escapes, coded organisms and OBX-4 sub-ids (v2.4 microbiology)', () => {
    const draft = mapped('cn-lis-microbiology-text-v24.hl7').reports[0]!;
    expect(observationByCode(draft, 'ORG').valueCodeableConcept).toEqual({
      coding: [{ system: 'http://snomed.info/sct', code: '112283007', display: '大肠埃希菌' }],
      text: '大肠埃希菌',
    });
    expect(observationByCode(draft, 'ORG').note).toEqual([{ text: 'further value: 金黄色葡萄球菌' }]);
    expect(observationByCode(draft, 'GRAM').valueString).toBe('革兰阴性杆菌\n未见真菌');
    expect(observationByCode(draft, 'COMM').valueString).toBe(
      '检出多重耐药菌\n请按接触隔离处理|通知感染科^2级',
    );
    expect(observationByCode(draft, 'MIC').valueString).toBe('<=1 & S');
    expect(observationByCode(draft, 'MIC').interpretation?.[0]?.coding?.[0]).toMatchObject({
      code: 'S',
      display: 'Susceptible',
    });
  });

  it('keeps the sender offset, LOINC as primary code, SS identifiers ignored (international v2.5.1)', () => {
    const { patient, reports } = mapped('intl-cmp-enhanced-v251.hl7');
    expect(patient.mrn?.value).toBe('PAT7788');
    expect(patient.residentId).toBeUndefined();
    expect(patient.name).toBe('Jane Doe');
    const draft = reports[0]!;
    expect(draft.report.code.coding?.[0]).toEqual({
      system: LOINC,
      code: '24323-8',
      display: 'Comprehensive metabolic 2000 panel - Serum or Plasma',
    });
    expect(draft.report.effectiveDateTime).toBe('2024-08-12T08:15:00-05:00');
    expect(observationByCode(draft, '2160-0').valueQuantity).toEqual({
      value: 1.42,
      unit: 'mg/dL',
      system: UCUM,
      code: 'mg/dL',
    });
    expect(observationByCode(draft, '2345-7').effectiveDateTime).toBe('2024-08-12T12:00:00-05:00');
    expect(observationByCode(draft, '882-1').valueCodeableConcept?.coding?.[0]).toMatchObject({
      system: 'http://snomed.info/sct',
      code: '278149003',
    });
    expect(draft.specimens[0]?.identifier?.[0]?.value).toBe('SPEC9911');
  });

  it('maps DT, TS and TM values', () => {
    const draft = mapped('cn-lis-dates-v25.hl7').reports[0]!;
    expect(observationByCode(draft, 'LMP').valueDateTime).toBe('2024-09-01');
    expect(observationByCode(draft, 'COLL').valueDateTime).toBe('2024-10-10T08:15:00+08:00');
    expect(observationByCode(draft, 'CTIME').valueTime).toBe('08:40:00');
    expect(observationByCode(draft, 'HCG').referenceRange).toEqual([
      { high: { value: 5, unit: 'mIU/mL' }, text: '<5' },
    ]);
  });

  it('converts a 15-digit resident ID typed SFZ, reads 男 and Chinese interpretation words (v2.3.1 urinalysis)', () => {
    const { patient, reports } = mapped('cn-lis-urinalysis-v231.hl7');
    expect(patient.residentId).toBe(RESIDENT_ID);
    expect(patient.gender).toBe('male');
    const draft = reports[0]!;
    expect(observationByCode(draft, 'GLU').valueCodeableConcept).toEqual({ text: '阴性' });
    expect(observationByCode(draft, 'KET').interpretation).toEqual([
      { coding: [{ system: INTERPRETATION, code: 'POS', display: 'Positive' }], text: '阳性' },
    ]);
    expect(observationByCode(draft, 'BLD').valueString).toBe('+-');
    expect(observationByCode(draft, 'PH').referenceRange?.[0]).toMatchObject({
      low: { value: 4.5 },
      high: { value: 8 },
    });
  });
});
