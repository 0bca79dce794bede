import { fhirPatientId, patientKeyOfFhirId, patientKeysFromFhir, patientKeysToFhir } from './fhir-patient-id';

const KEY = `pk_${'abcdefghijklmnopqrstuvwxyz'}`;
const ID = `pk-${'abcdefghijklmnopqrstuvwxyz'}`;

describe('a patient key at the FHIR boundary', () => {
  it('goes out as a FHIR id (R4 id: letters, digits, - and . only) and comes back the same key', () => {
    expect(fhirPatientId(KEY)).toBe(ID);
    expect(fhirPatientId(KEY)).toMatch(/^[A-Za-z0-9\-.]{1,64}$/);
    expect(patientKeyOfFhirId(ID)).toBe(KEY);
    expect(patientKeyOfFhirId(KEY)).toBe(KEY);
    expect(fhirPatientId('H001.A-1')).toBe('H001.A-1');
  });

  it('is rewritten wherever it stands alone in a body or URL, never inside a longer token', () => {
    const body = JSON.stringify({
      id: KEY,
      subject: { reference: `Patient/${KEY}` },
      link: `x?patient=Patient%2F${KEY}&_count=1`,
      stream: `patient-${KEY}`,
      short: 'pk_abc',
      longer: `${KEY}a`,
    });
    const out = JSON.parse(patientKeysToFhir(body)) as Record<string, unknown>;
    expect(out).toEqual({
      id: ID,
      subject: { reference: `Patient/${ID}` },
      link: `x?patient=Patient%2F${ID}&_count=1`,
      stream: `patient-${KEY}`,
      short: 'pk_abc',
      longer: `${KEY}a`,
    });
    expect(patientKeysFromFhir(patientKeysToFhir(body))).toBe(body);
    expect(patientKeysFromFhir(`/fhir/Patient/${ID}/$everything?x=${ID}`)).toBe(
      `/fhir/Patient/${KEY}/$everything?x=${KEY}`,
    );
  });
});
