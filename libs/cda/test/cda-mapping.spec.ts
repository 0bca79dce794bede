/** The fixtures mapped: values, units, ranges, flags, codes and times, and every resource valid
 * against the R4 definitions once the hub has normalised it. */
import type { fhir4 } from '@yilian/contracts';
import { validateFhirResource } from '@yilian/fhir';
import { normalizeImagingReport, normalizeLabReport, resolverByIds } from '@yilian/results';
import { type CdaDocument, readCdaDocument } from '../src';
import { cdaFixture, type CdaFixture } from './cda-fixtures';

const ctx = (institution: string) => ({ institution, receivedAt: '2025-12-05T00:00:00.000Z' });

function read(name: CdaFixture, institution: string): CdaDocument {
  const r = readCdaDocument(cdaFixture(name), ctx(institution));
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.document;
}

function lab(name: CdaFixture, institution: string) {
  const d = read(name, institution);
  if (d.kind !== 'lab') throw new Error('not a lab report');
  return d;
}

const errors = (r: object) => validateFhirResource(r).filter((i) => i.severity === 'error');
const byLoinc = (obs: readonly fhir4.Observation[], code: string) =>
  obs.find((o) => o.code.coding?.some((c) => c.system === 'http://loinc.org' && c.code === code))!;

describe('WS/T 500 part 7 lab report → DiagnosticReport + Observations', () => {
  it('maps the biochemistry panel: LOINC and local codes, UCUM quantities, ranges, flags, +08:00 times', () => {
    const d = lab('lab-biochemistry-panel', 'H001');
    expect(d.accession).toBe('JY20251201-0042');
    expect(d.header.patient).toEqual({ residentId: '11010519491231002X', mrn: 'MZ20251201007' });
    expect(d.header.kind).toBe('lab');
    expect(d.documentKey).toBe('2.16.156.10011.1.1^LIS-DOC-20251201-0001');
    expect(d.report.code.coding?.map((c) => `${c.system}|${c.code}`)).toEqual([
      'http://loinc.org|24323-8',
      'urn:oid:1.2.156.112604.1.2.1|SH001',
    ]);
    expect(d.report.identifier?.[0]).toMatchObject({
      system: 'urn:yilian:institution:H001:accession',
      value: 'JY20251201-0042',
    });
    expect(d.report.status).toBe('final');
    expect(d.report.effectiveDateTime).toBe('2025-12-01T08:15:00+08:00'); // specimen collected
    expect(d.report.issued).toBe('2025-12-01T10:28:00+08:00'); // author/time
    expect(d.report.resultsInterpreter?.[0]?.display).toBe('王审核');
    expect(d.report.conclusion).toBe('血钾、血糖升高，请结合临床。');
    expect(d.observations).toHaveLength(6);

    const k = byLoinc(d.observations, '2823-3');
    expect(k.code.coding?.[1]).toEqual({ system: 'urn:oid:1.2.156.112604.1.2.2', code: 'K', display: '钾' });
    expect(k.valueQuantity).toEqual({
      value: 5.8,
      unit: 'mmol/L',
      system: 'http://unitsofmeasure.org',
      code: 'mmol/L',
    });
    expect(k.referenceRange?.[0]?.low?.value).toBe(3.5);
    expect(k.referenceRange?.[0]?.high).toEqual({
      value: 5.3,
      unit: 'mmol/L',
      system: 'http://unitsofmeasure.org',
      code: 'mmol/L',
    });
    expect(k.interpretation?.[0]?.coding?.[0]?.code).toBe('H');
    expect(k.effectiveDateTime).toBe('2025-12-01T09:30:00+08:00');
    expect(k.specimen?.reference).toBe('Specimen/s1');

    expect(byLoinc(d.observations, '2951-2').valueQuantity?.value).toBe(139);
    expect(byLoinc(d.observations, '2951-2').interpretation?.[0]?.coding?.[0]?.code).toBe('N');
    const glucose = byLoinc(d.observations, '2345-7');
    expect(glucose.interpretation?.[0]?.coding?.[0]?.code).toBe('H'); // the sign ↑
    expect(byLoinc(d.observations, '14682-9').valueQuantity?.code).toBe('umol/L');
    // a local item without LOINC keeps the LIS's own code
    const alt = d.observations.find((o) => o.code.text === '丙氨酸氨基转移酶')!;
    expect(alt.code.coding).toEqual([
      { system: 'urn:oid:1.2.156.112604.1.2.2', code: 'ALT', display: '丙氨酸氨基转移酶' },
    ]);
    expect(d.specimens).toEqual([
      {
        resourceType: 'Specimen',
        id: 's1',
        type: { text: '血清' },
        receivedTime: '2025-12-01T08:40:00+08:00',
        collection: { collectedDateTime: '2025-12-01T08:15:00+08:00' },
      },
    ]);
  });

  it('maps the data-element form (complete blood count): DE04.30.019.00 items, REAL + unit, nested or flat', () => {
    const d = lab('lab-complete-blood-count', 'C002');
    expect(d.accession).toBe('XCG20251202-0107');
    expect(d.header.patient.mrn).toBe('ZY2025110233'); // 住院号 when there is no 门诊号
    expect(d.report.code).toEqual({
      coding: [{ system: 'http://loinc.org', code: '11502-2', display: 'Laboratory report' }],
      text: '血常规',
    });
    const [wbc, hgb, plt] = d.observations;
    expect(wbc!.code.coding?.map((c) => c.code)).toEqual(['6690-2', 'WBC']);
    // `10^9/L` is not a UCUM code: kept as the unit text only
    expect(wbc!.valueQuantity).toEqual({ value: 11.6, unit: '10^9/L' });
    expect(wbc!.referenceRange).toEqual([{ text: '3.5-9.5' }]);
    expect(wbc!.interpretation?.[0]?.coding?.[0]?.code).toBe('H');
    expect(hgb!.valueQuantity).toEqual({
      value: 128,
      unit: 'g/L',
      system: 'http://unitsofmeasure.org',
      code: 'g/L',
    });
    expect(hgb!.referenceRange?.[0]?.low?.value).toBe(115);
    expect(plt!.code.coding?.[0]?.code).toBe('777-3');
    expect(plt!.valueQuantity).toEqual({ value: 86, unit: '10^9/L' });
    expect(plt!.interpretation?.[0]?.coding?.[0]?.code).toBe('L'); // ↓
    expect(plt!.referenceRange).toEqual([{ text: '125-350' }]);
    expect(d.report.issued).toBe('2025-12-02T09:05:00+08:00');
    expect(d.report.conclusion).toBe('白细胞升高，血小板减少。');
    expect(d.specimens[0]?.type?.text).toBe('全血');
  });

  it.each(['lab-biochemistry-panel', 'lab-complete-blood-count'] as const)(
    '%s: the report, observations and specimens validate against R4 once normalised',
    (name) => {
      const d = lab(name, 'H001');
      const normalized = normalizeLabReport({
        performer: 'H001',
        accession: d.accession,
        patientKey: 'pk-test',
        report: d.report,
        observations: d.observations,
        specimens: d.specimens,
        resolve: resolverByIds([d.report, ...d.observations, ...d.specimens]),
      });
      expect(normalized.observations[0]!.specimen?.reference).toMatch(/^Specimen\/H001\./);
      for (const r of [normalized.report, ...normalized.observations, ...normalized.specimens])
        expect(errors(r)).toEqual([]);
    },
  );
});

describe('WS/T 500 part 6 examination report → imaging DiagnosticReport', () => {
  const text = (r: fhir4.DiagnosticReport | Omit<fhir4.DiagnosticReport, 'id' | 'subject'>) =>
    Buffer.from(r.presentedForm![0]!.data!, 'base64').toString('utf8');

  it('maps the chest CT: the impression as conclusion as written, findings and impression as the text', () => {
    const d = read('exam-chest-ct', 'C002');
    if (d.kind !== 'examination') throw new Error('not an examination report');
    expect(d.accession).toBe('CT20251203015');
    expect(d.modality).toBe('CT');
    expect(d.report.code).toEqual({
      coding: [{ system: 'http://loinc.org', code: '18748-4', display: 'Diagnostic imaging study' }],
      text: '胸部CT平扫',
    });
    expect(d.report.category?.[1]?.coding?.[0]).toMatchObject({ code: 'CT' });
    expect(d.report.conclusion).toBe('右肺下叶炎症可能，建议抗炎治疗后复查。');
    expect(text(d.report)).toBe(
      '检查所见：\n双肺纹理增多，右肺下叶见斑片状磨玻璃密度影，边界欠清。气管及主支气管通畅。纵隔未见肿大淋巴结。心影不大，双侧胸腔未见积液。\n\n检查提示：\n右肺下叶炎症可能，建议抗炎治疗后复查。',
    );
    expect(d.report.effectiveDateTime).toBe('2025-12-03T14:20:00+08:00');
    expect(d.report.issued).toBe('2025-12-03T15:30:00+08:00');
    expect(d.report.resultsInterpreter?.map((p) => p.display)).toEqual(['孙影像', '周主任']);
    expect(d.report.identifier).toEqual([
      { system: 'urn:yilian:institution:C002:document', value: 'RIS-DOC-CT20251203015' },
    ]);
  });

  it('maps the abdominal ultrasound: 超声 is US, a two-line impression stays two lines, 备注 in the text only', () => {
    const d = read('exam-abdominal-ultrasound', 'H001');
    if (d.kind !== 'examination') throw new Error('not an examination report');
    expect(d.modality).toBe('US');
    expect(d.report.code.text).toBe('腹部彩超（肝胆胰脾）');
    expect(d.report.conclusion).toBe('脂肪肝（轻度）\n胆、胰、脾未见明显异常');
    expect(text(d.report)).toContain('备注：\n空腹检查');
    expect(d.report.conclusion).not.toContain('空腹');
    expect(d.report.effectiveDateTime).toBe('2025-12-04T09:40:00+08:00'); // no offset sent: +08:00
  });

  it.each(['exam-chest-ct', 'exam-abdominal-ultrasound'] as const)(
    '%s validates against R4 once normalised',
    (name) => {
      const d = read(name, 'H001');
      if (d.kind !== 'examination') throw new Error('not an examination report');
      const report = normalizeImagingReport({
        performer: 'H001',
        reporter: 'H001',
        accession: d.accession,
        patientKey: 'pk-test',
        report: { ...d.report, subject: {} },
      });
      expect(errors(report)).toEqual([]);
    },
  );
});
