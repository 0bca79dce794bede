/**
 * ORU^R01 of each version from 2.6 to 2.9 (and 2.10, never seen: read as 2.9), each with its
 * own version's structure: SFT and TQ1 (2.5+), the patient observation OBX and PRT (2.7+),
 * ARV and OBX-29 (2.8+), MSH-26 (2.9). The 2.3 – 2.5.1 fixtures are in oru-r01.lab-mapper.spec.
 */
import { buildAck, classifyMessage, mapOruR01Lab, parseHl7 } from '../src';
import { CTX, fixture, mapped, observationByCode, setField, withSegment } from './fixtures';

describe('ORU^R01 lab mapping: versions 2.6 to 2.10', () => {
  it.each([
    ['cn-lis-hba1c-v26.hl7', '2.6'],
    ['cn-lis-lipids-patient-obs-v27.hl7', '2.7'],
    ['cn-lis-crp-v271.hl7', '2.7.1'],
    ['cn-lis-thyroid-v28.hl7', '2.8'],
    ['cn-lis-glucose-v281.hl7', '2.8.1'],
    ['cn-lis-renal-v282.hl7', '2.8.2'],
    ['cn-lis-troponin-v29.hl7', '2.9'],
    ['intl-hgb-v210.hl7', '2.9'],
  ])('%s is read as %s and maps', (name, version) => {
    expect(classifyMessage(fixture(name))).toMatchObject({ ok: true, version });
    expect(mapped(name).reports.length).toBeGreaterThan(0);
  });

  it('2.6: CWE values, SFT and TQ1 skipped, SPM specimen', () => {
    const [draft] = mapped('cn-lis-hba1c-v26.hl7').reports;
    expect(observationByCode(draft!, '4548-4').valueQuantity).toMatchObject({ value: 6.9, unit: '%' });
    expect(observationByCode(draft!, '59261-8').valueCodeableConcept?.coding?.[0]?.code).toBe('LA6576-8');
    expect(draft!.specimens[0]!.type?.coding?.[0]?.code).toBe('BLD');
  });

  it('2.7: the patient observation (OBX before OBR) is no error and no part of the report; PRT give the interpreter and the observer', () => {
    const result = mapped('cn-lis-lipids-patient-obs-v27.hl7');
    const [draft] = result.reports;
    expect(draft!.observations.map((o) => o.code.coding?.[0]?.code)).toEqual([
      '2093-3',
      '2571-8',
      '2085-9',
      '18262-6',
    ]);
    expect(draft!.report.resultsInterpreter).toEqual([
      {
        type: 'Practitioner',
        display: '黄丽',
        identifier: { system: 'urn:yilian:institution:bjsyyy:staff', value: 'D2291' },
      },
    ]);
    expect(observationByCode(draft!, '2093-3').performer?.[1]?.display).toBe('林峰');
    // the PRT of the next OBX is not this one's
    expect(observationByCode(draft!, '2571-8').performer).toHaveLength(1);
  });

  it('2.8: ARV and PD1 skipped, specimen observation kept with its OBR, OBX-29 ignored', () => {
    const [draft] = mapped('cn-lis-thyroid-v28.hl7').reports;
    expect(draft!.observations).toHaveLength(3);
    expect(observationByCode(draft!, '33882-2').specimen?.reference).toBe(
      `Specimen/${draft!.specimens[0]!.id}`,
    );
    expect(observationByCode(draft!, '3024-7').interpretation?.[0]?.coding?.[0]?.code).toBe('L');
  });

  it('2.9 and 2.10: fields and PRT roles added later are ignored, never refused; the ACK echoes the version sent', () => {
    const [troponin] = mapped('cn-lis-troponin-v29.hl7').reports;
    expect(troponin!.observations).toHaveLength(1);
    expect(troponin!.report.resultsInterpreter?.[0]?.display).toBe('何平');
    const [hgb] = mapped('intl-hgb-v210.hl7').reports;
    expect(hgb!.report.resultsInterpreter).toBeUndefined();
    const ack = buildAck(fixture('intl-hgb-v210.hl7'), 'AA', [], { now: new Date(0) });
    const parsed = parseHl7(ack);
    expect(parsed.ok && parsed.message.getSegment('MSH')?.getField(12)?.toString()).toBe('2.10');
  });

  it('a missing required element of the result is still AE naming the field, in 2.8 as in 2.5', () => {
    const text = withSegment(fixture('cn-lis-thyroid-v28.hl7'), 'OBX', 1, (l) => setField(l, 3, ''));
    const result = mapOruR01Lab(text, CTX);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((e) => `${e.segment}^${e.sequence}^${e.field} ${e.code}`)).toEqual(
      ['OBX^1^3 101'],
    );
  });
});
