/**
 * The OBX-2 types beyond NM / SN / text / coded / dates, as the HL7 v2-to-FHIR OBX[Observation]
 * map reads them where R4 can hold them; an ORU with one of them is recorded, not refused.
 * And one order answered by several OBR panels that share its number (OBR-4 tells them apart).
 */
import { validateFhirResource } from '@yilian/fhir';
import type * as fhir4 from 'fhir/r4';
import { mapOruR01Lab, periodOrder } from '../src';
import { CTX, fixture, mapped, observationByCode, setField, withSegment } from './fixtures';

function errorsOf(resource: fhir4.Resource): string[] {
  const withSubject = { ...resource, subject: { reference: 'Patient/pk_test' } } as fhir4.Resource;
  return validateFhirResource(withSubject)
    .filter((i) => i.severity === 'error')
    .map((i) => `${resource.resourceType} ${i.path}: ${i.message}`);
}

describe('ORU^R01 lab mapping: OBX value types of table 0125 beyond the common ones', () => {
  const { reports } = mapped('intl-lab-value-types-v251.hl7');
  const draft = reports[0]!;

  it('ED Base64 (a PDF) → the report’s presentedForm; the Observation points at it', () => {
    expect(draft.report.presentedForm).toEqual([
      {
        contentType: 'application/pdf',
        data: 'JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PC9UeXBlL0NhdGFsb2c+PgplbmRvYmoKdHJhaWxlcgo8PC9Sb290IDEgMCBSPj4KJSVFT0YK',
        title: 'Newborn Screening Report summary panel',
      },
    ]);
    const obs = draft.observations[0]!;
    expect(obs.valueString).toBeUndefined();
    expect(obs.note).toEqual([{ text: 'ED value: DiagnosticReport.presentedForm[0]' }]);
  });

  it('ED text (ED-4 A) → valueString', () => {
    expect(observationByCode(draft, '48767-8').valueString).toBe('Specimen received in good condition');
  });

  it('XAD, XTN (2.5 components and the older XTN-1 text), XPN, CX → valueString written out', () => {
    expect(observationByCode(draft, '62327-2').valueString).toBe(
      '1234 Main St, Ste. 200, Austin, TX 78758, USA',
    );
    const phones = draft.observations.filter((o) => o.code.coding?.[0]?.code === '62328-0');
    expect(phones.map((o) => o.valueString)).toEqual(['+1 (512) 5551212 x34', '(323) 123-4567']);
    expect(observationByCode(draft, '62324-9').valueString).toBe('Dr John Q Smith Jr');
    expect(observationByCode(draft, '62323-1').valueString).toMatch(/^321 /);
  });

  it('IS → valueCodeableConcept; DR → valuePeriod; NR → valueRange; CQ → valueQuantity', () => {
    expect(observationByCode(draft, '66746-9').valueCodeableConcept).toEqual({
      coding: [{ system: 'urn:yilian:institution:bjsyyy:code-system:local', code: 'BLDCAP' }],
      text: 'BLDCAP',
    });
    expect(observationByCode(draft, '57722-1').valuePeriod).toEqual({
      start: '2024-09-01T08:00:00+08:00',
      end: '2024-09-03T08:00:00+08:00',
    });
    expect(observationByCode(draft, '2345-7').valueRange).toEqual({
      low: { value: 70, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' },
      high: { value: 99, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' },
    });
    expect(observationByCode(draft, '8339-4').valueQuantity).toEqual({ value: 3900, unit: 'grams' });
  });

  it('an SN no row of the map fits → valueString; CNE → valueCodeableConcept; DT, TM; a type outside 0125 → text', () => {
    expect(observationByCode(draft, '5196-1').valueString).toBe('>reactive');
    expect(observationByCode(draft, '57718-9').valueCodeableConcept?.coding?.[0]?.code).toBe('LA12432-3');
    expect(observationByCode(draft, '57715-5').valueDateTime).toBe('2024-08-20');
    expect(observationByCode(draft, '57715-6').valueTime).toBe('08:30:00');
    expect(observationByCode(draft, '99ZZ-1').valueString).toBe('value in parts');
    expect(draft.observations).toHaveLength(16);
  });

  it('RP → presentedForm with the pointer as url (and the type of data)', () => {
    const text = withSegment(fixture('intl-lab-value-types-v251.hl7'), 'OBX', 16, (l) =>
      setField(setField(l, 2, 'RP'), 5, 'https://lab.example.org/slides/40bc^^IM^JPEG'),
    );
    const result = mapOruR01Lab(text, CTX);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.reports[0]!.report.presentedForm?.[1]).toEqual({
      url: 'https://lab.example.org/slides/40bc',
      contentType: 'image/jpeg',
      title: 'Local free value',
    });
  });

  it('refuses only what cannot be its type: ED Base64 that is not Base64 → 102 at OBX^n^5^^5', () => {
    const text = withSegment(fixture('intl-lab-value-types-v251.hl7'), 'OBX', 1, (l) =>
      setField(l, 5, '^AP^PDF^Base64^not base64!'),
    );
    const result = mapOruR01Lab(text, CTX);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => [e.segment, e.sequence, e.field, e.component, e.code])).toEqual([
      ['OBX', 1, 5, 5, 102],
    ]);
  });

  it('every resource is valid R4', () => {
    expect([draft.report, ...draft.observations, ...draft.specimens].flatMap(errorsOf)).toEqual([]);
  });
});

describe('ORU^R01 lab mapping: one order reported as several OBR panels sharing its number', () => {
  it('each OBR is its own report, known by the number and OBR-4; the identifier is the number as sent', () => {
    const { reports } = mapped('intl-nbs-shared-order-v251.hl7');
    expect(reports.map((r) => r.accession)).toEqual([
      '7241234515.54089-8',
      '7241234515.57128-1',
      '7241234515.99717-28',
    ]);
    for (const r of reports) {
      expect(r.report.identifier?.[0]).toMatchObject({
        system: 'urn:yilian:institution:bjsyyy:accession',
        value: '7241234515',
      });
      expect([r.report, ...r.observations, ...r.specimens].flatMap(errorsOf)).toEqual([]);
    }
    expect(new Set(reports.map((r) => r.report.id)).size).toBe(3);
    expect(reports[2]!.observations[0]!.valueQuantity?.value).toBe(0.12);
    expect(reports.map((r) => r.panelAccession)).toEqual([undefined, undefined, undefined]);
  });

  it('a report known by its number alone names the panel key a change of it may have to go under', () => {
    const { reports } = mapped('intl-lab-value-types-v251.hl7');
    expect(reports[0]).toMatchObject({ accession: 'FIL9001', panelAccession: 'FIL9001.57128-1' });
  });

  it('the same number with the same OBR-4 twice is still 205 at the second OBR-3', () => {
    const text = withSegment(fixture('intl-nbs-shared-order-v251.hl7'), 'OBR', 3, (l) =>
      setField(l, 4, '54089-8^NB Screen Panel Patient AHIC^LN'),
    );
    const result = mapOruR01Lab(text, CTX);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => `${e.segment}^${e.sequence}^${e.field} ${e.code}`)).toEqual([
      'OBR^3^3 205',
    ]);
  });
});

describe('Periods FHIR can order (R4 per-1: start ≤ end)', () => {
  it('periodOrder', () => {
    expect(periodOrder('2024-12-01T08:00:00+08:00', '2024-12-01T09:00:00+08:00')).toBe('ok');
    expect(periodOrder('2024-12-01T08:00:00+08:00', '2024-12-01T07:00:00+08:00')).toBe('before');
    expect(periodOrder('2024-12-01T08:00:00+08:00', '2024-12-01')).toBe('ambiguous');
    expect(periodOrder('2024-12-01T08:00:00+08:00', '2024')).toBe('ambiguous');
    expect(periodOrder('2024-12-01T08:00:00+08:00', '2024-12-02')).toBe('ok');
    expect(periodOrder('2024-12-01', '2024-11')).toBe('before');
  });

  const where = (text: string) => {
    const result = mapOruR01Lab(text, CTX);
    return result.ok ? [] : result.errors.map((e) => [e.segment, e.sequence, e.field, e.component, e.code]);
  };

  it('an OBR-8 collection end before OBR-7 → 102 at OBR^1^8; one FHIR cannot order → collectedDateTime and a note', () => {
    const base = fixture('cn-chc-orc-fallback-v24.hl7');
    expect(where(withSegment(base, 'OBR', 1, (l) => setField(l, 8, '20241130080000')))).toEqual([
      ['OBR', 1, 8, undefined, 102],
    ]);
    for (const end of ['2024', '20241201']) {
      const result = mapOruR01Lab(
        withSegment(base, 'OBR', 1, (l) => setField(l, 8, end)),
        CTX,
      );
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      const specimen = result.reports[0]!.specimens[0]!;
      expect(specimen.collection?.collectedDateTime).toBe('2024-12-01T08:00:00+08:00');
      expect(specimen.collection?.collectedPeriod).toBeUndefined();
      expect(specimen.note?.map((n) => n.text)).toContain(
        `collection ended: ${end === '2024' ? '2024' : '2024-12-01'}`,
      );
      expect(errorsOf(specimen)).toEqual([]);
    }
  });

  it('an SPM-17.2 end before its start → 102 at SPM^1^17^^2; a DR end before its start → 102 at OBX^n^5^^2', () => {
    const spm = withSegment(fixture('cn-lis-electrolytes-spm-v251.hl7'), 'SPM', 1, (l) =>
      setField(l, 17, '20240102080000^20240101080000'),
    );
    expect(where(spm)).toEqual([['SPM', 1, 17, 2, 102]]);
    const dr = withSegment(fixture('intl-lab-value-types-v251.hl7'), 'OBX', 9, (l) =>
      setField(l, 5, '20240903080000+0800^20240901080000+0800'),
    );
    expect(where(dr)).toEqual([['OBX', 9, 5, 2, 102]]);
  });
});
