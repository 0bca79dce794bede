import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyMessage, type LabMappingResult, mapLabResult, mapOruR01Lab } from '../src';
import { CTX, fixture, observationByCode, withSegment } from './fixtures';

const OUL_R22 = fixture('oul/cn-lis-electrolytes-oul-r22-v251.hl7');
const ORU_R01 = fixture('oul/cn-lis-electrolytes-oru-r01-v251.hl7');
const TWO_SPECIMENS = fixture('oul/cn-lis-two-specimens-oul-r22-v251.hl7');
const R23 = fixture('oul/cn-lis-glucose-oul-r23-v251.hl7');
const R24 = fixture('oul/cn-lis-cbc-oul-r24-v251.hl7');
const R21 = fixture('oul/cn-lis-electrolytes-oul-r21-v24.hl7');
const THIRD_PARTY = join(__dirname, '../../../test/e2e/fixtures/hl7-third-party/microsoft-fhir-converter');

function mapped(text: string) {
  const result = mapLabResult(text, CTX);
  if (!result.ok) throw new Error(`did not map: ${JSON.stringify(result.errors)}`);
  return result;
}

const where = (e: { segment?: string; sequence?: number; field?: number; code: number }) =>
  `${[e.segment, e.sequence, e.field].filter((p) => p !== undefined).join('^')} ${e.code}`;

function errorsOf(result: LabMappingResult): string[] {
  return result.ok ? [] : result.errors.map(where);
}

const errorsWithoutPid = (text: string) =>
  errorsOf(
    mapLabResult(
      withSegment(text, 'PID', 1, () => null),
      CTX,
    ),
  );

const codes = (draft: { observations: { code: { coding?: { code?: string }[] } }[] }) =>
  draft.observations.map((o) => o.code.coding?.[0]?.code);

describe('mapLabResult: OUL^R21 / R22 / R23 / R24', () => {
  it('classifies OUL^R22, R23 and R24 as known types', () => {
    for (const text of [OUL_R22, R23, R24]) expect(classifyMessage(text).ok).toBe(true);
  });

  it('an OUL^R22 maps to the same drafts as the equivalent ORU^R01', () => {
    const oul = mapped(OUL_R22);
    const oru = mapped(ORU_R01);
    expect(oul).toEqual(oru);
    expect(oul.reports).toHaveLength(1);
    expect(codes(oul.reports[0]!)).toEqual(['K', 'NA', 'HEMO']);
    // mapOruR01Lab itself stays ORU^R01 only
    expect(errorsOf(mapOruR01Lab(OUL_R22, CTX))).toEqual(['MSH^1^9 200']);
  });

  it('OBX after SPM: a specimen observation of the report, after its results, naming that specimen', () => {
    const [report] = mapped(OUL_R22).reports;
    const hemolysis = observationByCode(report!, 'HEMO');
    expect(hemolysis.valueString).toBe('无溶血');
    expect(hemolysis.specimen).toEqual({ reference: `Specimen/${report!.specimens[0]!.id}` });
    expect(report!.report.result?.at(-1)).toEqual({ reference: `Observation/${hemolysis.id}` });
    // the OBR's own results name the report's only specimen too
    expect(observationByCode(report!, '2823-3').valueQuantity).toMatchObject({ value: 5.8, code: 'mmol/L' });
    expect(observationByCode(report!, '2823-3').specimen).toEqual(hemolysis.specimen);
    // ORC after the OBR is that order's; the NTE after it the report's conclusion
    expect(report!.report.conclusion).toBe('空腹采血');
    expect(report!.report.identifier?.[0]?.value).toBe('ACC-20240520-7789');
  });

  it('several SPM groups, several OBR per SPM: one report per OBR, each with the SPM it follows', () => {
    const { reports, patient } = mapped(TWO_SPECIMENS);
    expect(patient.mrn).toEqual({ institution: CTX.institution, value: 'W778899' });
    expect(reports.map((r) => r.accession)).toEqual(['ACC-9001', 'ACC-9002', 'ACC-9003']);
    const [liver, renal, urine] = reports;
    // the first SPM's two OBRs name the same Specimen; its OBX go to the first of them only
    expect(liver!.specimens.map((s) => s.identifier?.[0]?.value)).toEqual(['SP-9001']);
    expect(renal!.specimens).toEqual(liver!.specimens);
    expect(liver!.report.specimen).toEqual(renal!.report.specimen);
    expect(codes(liver!)).toEqual(['1742-6', '1920-8', 'SPVOL']);
    expect(codes(renal!)).toEqual(['2160-0']);
    const volume = observationByCode(liver!, 'SPVOL');
    expect(volume.valueQuantity).toMatchObject({ value: 3.5, unit: 'mL' });
    expect(volume.note?.map((n) => n.text)).toEqual(['轻度脂血']);
    // the OBX after PID is a patient observation: in no report
    expect(reports.flatMap(codes)).not.toContain('29463-7');
    // the second SPM (with SAC / INV) is the third OBR's, its ORC after the OBR
    expect(urine!.specimens.map((s) => s.identifier?.[0]?.value)).toEqual(['SP-9002']);
    expect(urine!.specimens[0]!.type?.coding?.[0]?.code).toBe('UR');
    expect(observationByCode(urine!, '5811-5').valueString).toBe('1.020');
    expect(observationByCode(urine!, '5811-5').note?.map((n) => n.text)).toEqual(['晨尿']);
  });

  it('R23 (container oriented): the OBR after SAC / INV is the SPM’s', () => {
    const [report] = mapped(R23).reports;
    expect(report!.specimens[0]!.identifier?.[0]?.value).toBe('SP-9201');
    expect(observationByCode(report!, '2345-7').valueQuantity).toMatchObject({ value: 5.4, code: 'mmol/L' });
  });

  it('R24 (order oriented): the SPM after the OBR is its; OBX after SPM a specimen observation, after SAC results', () => {
    const [report] = mapped(R24).reports;
    expect(report!.report.conclusion).toBe('急诊');
    expect(report!.specimens.map((s) => s.identifier?.[0]?.value)).toEqual(['SP-9101']);
    expect(codes(report!)).toEqual(['718-7', '6690-2', 'SPAPP']);
    expect(observationByCode(report!, 'SPAPP').specimen).toEqual({
      reference: `Specimen/${report!.specimens[0]!.id}`,
    });
  });

  it('an OBR before any SPM: a report without a specimen group (as an ORU^R01 without SPM)', () => {
    const noSpecimen = R23.split('\r')
      .filter((l) => !/^(SPM|SAC|INV)\|/.test(l))
      .join('\r');
    const [report] = mapped(noSpecimen).reports;
    expect(report!.specimens).toEqual([]);
    expect(codes(report!)).toEqual(['2345-7']);
  });

  it('an ORC before its OBR (the ORU^R01 way) is taken for that OBR', () => {
    const moved = OUL_R22.replace('\rORC|RE|ORD-5521|ACC-20240520-7789', '').replace(
      '\rOBR|1|ORD-5521|ACC-20240520-7789^LIS|',
      '\rORC|RE|ORD-5521|ACC-20240520-7789\rOBR|1|ORD-5521||',
    );
    expect(mapped(moved).reports[0]!.accession).toBe('ACC-20240520-7789');
  });

  it('OUL^R21 (v2.4): read as ORU^R01 is — SAC, TCD and SID skipped, the same drafts as the ORU^R01 it equals', () => {
    expect(classifyMessage(R21)).toMatchObject({ ok: true, type: 'OUL^R21' });
    const oul = mapped(R21);
    const asOru = R21.replace('OUL^R21^OUL_R21', 'ORU^R01^ORU_R01')
      .split('\r')
      .filter((l) => !/^(SAC|TCD|SID)\|/.test(l))
      .join('\r');
    expect(oul).toEqual(mapped(asOru));
    const [report] = oul.reports;
    expect(oul.reports).toHaveLength(1);
    expect(codes(report!)).toEqual(['K', 'NA']);
    expect(observationByCode(report!, '2823-3').valueQuantity).toMatchObject({ value: 5.8, code: 'mmol/L' });
    expect(report!.accession).toBe('ACC-20240520-7789');
    // no PID: 101 at PID^1^3, as the other OUL (the patient group is optional, but the hub needs it)
    expect(errorsWithoutPid(R21)).toEqual(['PID^1^3 101']);
  });

  it('errors name the segment and field at fault', () => {
    // OUL's patient group is optional: the hub still needs PID-3
    expect(errorsWithoutPid(OUL_R22)).toEqual(['PID^1^3 101']);
    // an SPM no OBR follows (its observations would be lost)
    const orphan = TWO_SPECIMENS.replace(/\rOBR\|3\|[^\r]*/, '').replace(/\rORC\|[^\r]*/, '');
    expect(errorsOf(mapLabResult(orphan.replace(/\rOBX\|1\|ST\|5811-5[^\r]*/, ''), CTX))).toEqual([
      'SPM^2 100',
    ]);
    // R24: an SPM before any OBR; an OBX before PID / SPM / OBR
    const spmFirst = R24.replace('\rOBR|1|', '\rSPM|9|^X&LIS||BLD\rOBR|1|');
    expect(errorsOf(mapLabResult(spmFirst, CTX))).toEqual(['SPM^1 100']);
    const obxFirst = withSegment(R23, 'PID', 1, () => null).replace(
      '\rSPM|',
      '\rOBX|1|NM|X^X^L||1|||||F\rSPM|',
    );
    expect(errorsOf(mapLabResult(obxFirst, CTX))).toEqual(['OBX^1 100', 'PID^1^3 101']);
    // no OBR at all; an OBX without OBX-3 (the order's second result)
    const noObr = R23.split('\r')
      .filter((l) => !/^(OBR|OBX)\|/.test(l))
      .join('\r');
    expect(errorsOf(mapLabResult(noObr, CTX))).toEqual(['SPM^1 100', 'OBR^1 100']);
    const noCode = withSegment(R24, 'OBX', 3, (l) => l.replace('6690-2^白细胞^LN', ''));
    expect(errorsOf(mapLabResult(noCode, CTX))).toEqual(['OBX^3^3 101']);
  });

  it.each([
    ['OUL-R22-01.hl7', ['OBX^3^3 101']],
    ['OUL-R22-02.hl7', ['OBX^3^3 101', 'OBX^6^3 101']],
    ['OUL-R23-01.hl7', ['OBX^3^3 101']],
    ['OUL-R23-02.hl7', ['OBX^3^3 101', 'OBX^6^3 101']],
    ['OUL-R24-01.hl7', ['OBX^2^3 101']],
    ['OUL-R24-02.hl7', ['OBX^2^3 101']],
  ])('third-party %s (microsoft/FHIR-Converter): its OBX without OBX-3 named', (name, expected) => {
    const text = readFileSync(join(THIRD_PARTY, name), 'utf8').replace(/\r?\n/g, '\r');
    expect(errorsOf(mapLabResult(text, CTX))).toEqual(expected);
    const repaired = text
      .split('\r')
      .filter((l) => !l.startsWith('OBX||ED|||'))
      .join('\r');
    const { reports } = mapped(repaired);
    expect(reports.length).toBeGreaterThan(0);
    for (const r of reports) expect(r.report.code.coding?.[0]?.code).toBe('SCAN');
  });
});
