import { LOINC, mapOruR01Lab, UCUM } from '../src';
import { CTX, fixture, fixtureNames, mapped, observationByCode, setField, withSegment } from './fixtures';

const INTERPRETATION = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
const RESIDENT_ID = '11010519491231002X';

describe('ORU^R01 lab mapping: fixtures', () => {
  it.each(fixtureNames())('%s maps to reports whose references all resolve', (name) => {
    const { reports } = mapped(name);
    expect(reports.length).toBeGreaterThan(0);
    for (const draft of reports) {
      const observationIds = draft.observations.map((o) => `Observation/${o.id}`);
      expect(draft.report.result?.map((r) => r.reference) ?? []).toEqual(observationIds);
      const specimenIds = new Set(draft.specimens.map((s) => `Specimen/${s.id}`));
      for (const o of draft.observations)
        if (o.specimen) expect(specimenIds.has(o.specimen.reference!)).toBe(true);
      expect(draft.report.subject).toBeUndefined();
      expect(draft.observations.every((o) => o.subject === undefined)).toBe(true);
      expect(JSON.stringify(draft)).not.toContain(RESIDENT_ID);
    }
  });

  it('maps a Chinese LIS CBC (v2.3.1): identifiers, values, units, ranges, flags, LAB category, performer', () => {
    const { patient, reports } = mapped('cn-lis-cbc-v231.hl7');
    expect(patient).toEqual({
      mrn: { institution: 'bjsyyy', value: '0012345678' },
      residentId: RESIDENT_ID,
      name: '张三',
      birthDate: '1949-12-31',
      gender: 'male',
    });
    const [cbc] = reports;
    expect(cbc!.accession).toBe('LIS2024031500123');
    expect(cbc!.status).toBe('final');
    expect(cbc!.observations).toHaveLength(15);
    const report = cbc!.report;
    expect(report.status).toBe('final');
    expect(report.identifier?.[0]).toMatchObject({
      system: 'urn:yilian:institution:bjsyyy:accession',
      value: 'LIS2024031500123',
    });
    expect(report.category?.[0]?.coding?.[0]).toMatchObject({ code: 'LAB' });
    expect(report.category?.[1]?.coding?.[0]?.code).toBe('HM');
    expect(report.code.coding).toEqual([
      { system: 'urn:yilian:institution:bjsyyy:code-system:99LIS', code: 'CBC', display: '血常规' },
    ]);
    expect(report.effectiveDateTime).toBe('2024-03-15T08:00:00+08:00');
    expect(report.issued).toBe('2024-03-15T10:25:00+08:00');
    expect(report.performer).toEqual([{ reference: 'Organization/bjsyyy' }]);

    const wbc = observationByCode(cbc!, 'WBC');
    expect(wbc.valueQuantity).toEqual({ value: 11.2, unit: '10*9/L' });
    expect(wbc.effectiveDateTime).toBe('2024-03-15T09:00:00+08:00');
    expect(wbc.referenceRange).toEqual([
      { low: { value: 3.5, unit: '10*9/L' }, high: { value: 9.5, unit: '10*9/L' }, text: '3.5-9.5' },
    ]);
    expect(wbc.interpretation).toEqual([
      { coding: [{ system: INTERPRETATION, code: 'H', display: 'High' }] },
    ]);
    const plt = observationByCode(cbc!, 'PLT');
    expect(plt.interpretation?.[0]?.coding?.[0]?.code).toBe('L');
    expect(plt.effectiveDateTime).toBe('2024-03-15T08:00:00+08:00');
    expect(observationByCode(cbc!, 'RDW-CV').interpretation).toBeUndefined();
    expect(cbc!.specimens).toHaveLength(1);
    expect(cbc!.specimens[0]).toMatchObject({
      type: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0070', code: 'BLD', display: '全血' }],
      },
      receivedTime: '2024-03-15T08:15:00+08:00',
      collection: { collectedDateTime: '2024-03-15T08:00:00+08:00' },
    });
  });

  it('keeps the local code and the LOINC of the alternate triplet, UCUM units, SPM before OBX (v2.5.1)', () => {
    const { patient, reports } = mapped('cn-lis-electrolytes-spm-v251.hl7');
    expect(patient.residentId).toBe(RESIDENT_ID);
    expect(patient.mrn?.value).toBe('M0098765');
    expect(patient.name).toBe('王五');
    const draft = reports[0]!;
    expect(draft.report.code.coding?.map((c) => [c.system, c.code])).toEqual([
      ['urn:yilian:institution:bjsyyy:code-system:99HZ', 'ELEC'],
      [LOINC, '24326-1'],
    ]);
    const k = observationByCode(draft, '2823-3');
    expect(k.code.coding).toEqual([
      { system: 'urn:yilian:institution:bjsyyy:code-system:99HZ', code: 'K', display: '钾' },
      { system: LOINC, code: '2823-3', display: 'Potassium [Moles/volume] in Serum or Plasma' },
    ]);
    expect(k.valueQuantity).toEqual({ value: 5.8, unit: 'mmol/L', system: UCUM, code: 'mmol/L' });
    expect(k.referenceRange?.[0]?.high).toEqual({ value: 5.3, unit: 'mmol/L', system: UCUM, code: 'mmol/L' });
    const glu = observationByCode(draft, 'GLU');
    expect(glu.note).toEqual([{ text: '空腹血糖升高，建议复查糖化血红蛋白' }]);
    expect(draft.report.conclusion).toBe('空腹采血');
    expect(draft.specimens).toHaveLength(1);
    const specimen = draft.specimens[0]!;
    expect(specimen.identifier).toEqual([
      { system: 'urn:yilian:institution:bjsyyy:specimen', value: 'SP-778801' },
    ]);
    expect(specimen.type?.coding?.map((c) => c.code)).toEqual(['SER', '119364003']);
    expect(specimen.collection?.collectedDateTime).toBe('2024-05-20T07:05:00+08:00');
    expect(specimen.receivedTime).toBe('2024-05-20T07:30:00+08:00');
    for (const o of draft.observations) expect(o.specimen).toEqual({ reference: `Specimen/${specimen.id}` });
    expect(draft.report.issued).toBe('2024-05-20T09:10:00+08:00');
  });

  it('maps several OBR groups to one report each, NTE after OBR to conclusion and after OBX to note (v2.5)', () => {
    const { reports } = mapped('cn-lis-multi-obr-v25.hl7');
    expect(reports.map((r) => [r.accession, r.status, r.observations.length])).toEqual([
      ['WH-A-001', 'final', 2],
      ['WH-A-002', 'final', 1],
      ['WH-A-003', 'preliminary', 3],
    ]);
    expect(reports[0]!.report.conclusion).toBe('血常规报告：白细胞正常');
    expect(reports[1]!.report.conclusion).toBeUndefined();
    expect(observationByCode(reports[1]!, 'CRP').note).toEqual([
      { text: '提示炎症' },
      { text: '请结合临床' },
    ]);
    const protein = observationByCode(reports[2]!, 'PRO');
    expect(protein.status).toBe('preliminary');
    expect(protein.valueCodeableConcept).toEqual({
      coding: [{ system: 'urn:yilian:institution:bjsyyy:code-system:local', code: 'NEG', display: '阴性' }],
      text: '阴性',
    });
    expect(observationByCode(reports[2]!, 'COL').valueString).toBe('淡黄色');
    expect(observationByCode(reports[2]!, 'SG').valueQuantity).toEqual({ value: 1.02 });
    expect(new Set(reports.map((r) => r.report.id)).size).toBe(3);
  });

  it('reads untyped identifiers by the GB 11643 check, arrows as flags, full-width ranges, GB/T sex codes (v2.4)', () => {
    const { patient, reports } = mapped('cn-lis-liver-function-v24.hl7');
    expect(patient).toEqual({
      mrn: { institution: 'bjsyyy', value: 'A20240402001' },
      residentId: RESIDENT_ID,
      name: '李四',
      birthDate: '1949-12-31',
      gender: 'female',
    });
    const draft = reports[0]!;
    const alt = observationByCode(draft, 'ALT');
    expect(alt.interpretation).toEqual([
      { coding: [{ system: INTERPRETATION, code: 'H', display: 'High' }], text: '↑' },
    ]);
    expect(alt.referenceRange).toEqual([
      { low: { value: 9, unit: 'U/L' }, high: { value: 50, unit: 'U/L' }, text: '9～50' },
    ]);
    expect(observationByCode(draft, 'ALB').interpretation?.[0]?.coding?.[0]?.code).toBe('L');
    expect(observationByCode(draft, 'TBIL').valueQuantity).toEqual({ value: 15.3, unit: 'μmol/L' });
    expect(observationByCode(draft, 'GGT').note).toEqual([{ text: '标本轻度溶血，AST结果仅供参考' }]);
    expect(draft.report.identifier?.[1]).toMatchObject({
      system: 'urn:yilian:institution:bjsyyy:placer',
      value: 'ZY88120',
    });
  });

  it('maps statuses: corrected (C), cancelled (X), preliminary derived from OBX-11 when OBR-25 is empty', () => {
    const corrected = mapped('cn-lis-corrected-v251.hl7').reports[0]!;
    expect([corrected.status, corrected.report.status, corrected.observations[0]!.status]).toEqual([
      'corrected',
      'corrected',
      'corrected',
    ]);
    expect(corrected.observations[0]!.note).toEqual([{ text: '更正：原报告结果录入错误' }]);
    const cancelled = mapped('cn-lis-cancelled-v251.hl7').reports[0]!;
    expect([cancelled.status, cancelled.observations[0]!.status]).toEqual(['cancelled', 'cancelled']);
    expect(cancelled.observations[0]!.valueQuantity).toBeUndefined();
    const preliminary = mapped('intl-tsh-preliminary-v23.hl7');
    expect(preliminary.reports[0]!.status).toBe('preliminary');
    expect(preliminary.patient).toEqual({
      mrn: { institution: 'bjsyyy', value: '884422' },
      name: 'John Smith',
      birthDate: '1958-02-10',
      gender: 'male',
    });
    // no OBR-22: issued is when the hub received the report
    expect(preliminary.reports[0]!.report.issued).toBe(CTX.receivedAt);
  });

  it('takes the accession from ORC-3 when OBR-3 is empty and the specimen from OBR-15 (v2.4)', () => {
    const { patient, reports } = mapped('cn-chc-orc-fallback-v24.hl7');
    expect(patient.birthDate).toBe('1975');
    const draft = reports[0]!;
    expect(draft.accession).toBe('SQ-LAB-77');
    expect(draft.specimens[0]).toMatchObject({
      type: { coding: [{ code: 'BLD', display: '全血' }] },
      receivedTime: '2024-12-01T08:30:00+08:00',
      collection: {
        bodySite: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0163', code: 'LA' }] },
      },
    });
  });

  it('links each OBX to the SPM it follows', () => {
    const draft = mapped('cn-lis-two-specimens-v251.hl7').reports[0]!;
    const [serum, plasma] = draft.specimens;
    expect(serum?.identifier?.[0]?.value).toBe('XA-TUBE-9');
    expect(plasma?.identifier?.[0]?.value).toBe('XA-TUBE-10');
    expect(observationByCode(draft, 'TC').specimen?.reference).toBe(`Specimen/${serum!.id}`);
    expect(observationByCode(draft, 'TG').specimen?.reference).toBe(`Specimen/${serum!.id}`);
    expect(observationByCode(draft, 'HDL').specimen?.reference).toBe(`Specimen/${plasma!.id}`);
    expect(observationByCode(draft, 'HDL').referenceRange).toEqual([
      { low: { value: 1, unit: 'mmol/L' }, text: '>1.0' },
    ]);
  });

  it('gives the same ids to the same message mapped twice, and keeps them across a correction', () => {
    const first = mapped('cn-lis-cbc-v231.hl7').reports[0]!;
    const again = mapped('cn-lis-cbc-v231.hl7').reports[0]!;
    expect(again).toEqual(first);
    const elsewhere = mapped('cn-lis-cbc-v231.hl7', { ...CTX, institution: 'other' }).reports[0]!;
    expect(elsewhere.report.id).not.toBe(first.report.id);

    let text = withSegment(fixture('cn-lis-cbc-v231.hl7'), 'OBR', 1, (line) => setField(line, 25, 'C'));
    text = withSegment(text, 'OBX', 1, (line) => setField(setField(line, 5, '10.8'), 11, 'C'));
    const result = mapOruR01Lab(text, CTX);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const correction = result.reports[0]!;
    expect(correction.status).toBe('corrected');
    expect(correction.report.id).toBe(first.report.id);
    expect(correction.observations.map((o) => o.id)).toEqual(first.observations.map((o) => o.id));
    expect(observationByCode(correction, 'WBC')).toMatchObject({
      status: 'corrected',
      valueQuantity: { value: 10.8 },
    });
  });
});
