import { canonicalJson } from '../canonical';
import type { fhir4 } from '../fhir';
import type { LabReportRecordedV1 } from './lab-report-recorded.v1';
import {
  checkLabReportRecordedV2,
  downcastLabReportRecordedV2,
  labReportOf,
  upcastLabReportRecordedV1,
} from './lab-report-recorded.v2';

const category = [
  { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] },
];
const obs = (id: string, extra: Partial<fhir4.Observation> = {}): fhir4.Observation => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  category,
  code: { coding: [{ system: 'http://loinc.org', code: id }] },
  subject: { reference: 'Patient/pk_x' },
  performer: [{ reference: 'Organization/H001' }],
  effectiveDateTime: '2026-11-23T08:30:00+08:00',
  issued: '2026-11-23T09:00:00+08:00',
  valueQuantity: { value: 4.1, unit: 'mmol/L' },
  ...extra,
});
const v1 = (observations: fhir4.Observation[]): LabReportRecordedV1 => ({
  report: { resourceType: 'DiagnosticReport', id: 'H001.A1', status: 'final', code: { text: 'panel' } },
  observations,
  performer: 'H001',
  accession: 'A1',
});

describe('LabReportRecorded v2', () => {
  it('says once what every observation has with one value, and gives it back to each', () => {
    const full = v1([obs('a'), obs('b'), obs('c')]);
    const lean = upcastLabReportRecordedV1(full);
    expect(Object.keys(lean.shared ?? {}).sort()).toEqual(
      ['category', 'effectiveDateTime', 'issued', 'performer', 'subject'].sort(),
    );
    for (const o of lean.observations) {
      expect(o).not.toHaveProperty('subject');
      expect(o).toHaveProperty('valueQuantity');
    }
    expect(JSON.stringify(lean).length).toBeLessThan(JSON.stringify(full).length);
    expect(checkLabReportRecordedV2(lean, 'data')).toEqual([]);
    // key order aside, the same data
    expect(canonicalJson(downcastLabReportRecordedV2(lean))).toBe(canonicalJson(full));
    expect(canonicalJson(labReportOf({ schemaVersion: 2, data: lean }))).toBe(canonicalJson(full));
    expect(labReportOf({ schemaVersion: 1, data: full })).toBe(full);
  });

  it('keeps an element in each observation when one of them differs or lacks it', () => {
    const full = v1([
      obs('a'),
      obs('b', { effectiveDateTime: '2026-11-23T10:00:00+08:00' }),
      obs('c', { performer: undefined }),
    ]);
    const lean = upcastLabReportRecordedV1(full);
    expect(Object.keys(lean.shared ?? {}).sort()).toEqual(['category', 'issued', 'subject']);
    expect(lean.observations.map((o) => o.effectiveDateTime)).toEqual([
      '2026-11-23T08:30:00+08:00',
      '2026-11-23T10:00:00+08:00',
      '2026-11-23T08:30:00+08:00',
    ]);
    expect(canonicalJson(downcastLabReportRecordedV2(lean))).toBe(canonicalJson(full));
  });

  it('shares nothing for one observation or none, and refuses an element it does not share', () => {
    for (const observations of [[obs('a')], []]) {
      const lean = upcastLabReportRecordedV1(v1(observations));
      expect(lean.shared).toBeUndefined();
      expect(lean.observations).toEqual(observations);
    }
    const lean = upcastLabReportRecordedV1(v1([obs('a'), obs('b')]));
    expect(
      checkLabReportRecordedV2({ ...lean, shared: { ...lean.shared, status: 'final' } }, 'data'),
    ).toEqual([
      'data.shared: only category, subject, performer, effectiveDateTime, issued are shared (got status)',
    ]);
  });
});
