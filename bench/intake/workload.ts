/**
 * The messages the intake bench sends: ORU^R01 v2.5.1, 1 OBR + 15 OBX (the `oruR01` fixture,
 * ≈2 KB), each with its own control id (MSH-10) and accession (OBR-3, hence its own stream),
 * about a pool of a few hundred patients (valid resident ID numbers and an MRN each).
 */
import { residentIdCheckCharacter } from '@yilian/patients';
import { oruR01 } from '@yilian/testing';

export interface BenchPatient {
  readonly residentId: string;
  readonly mrn: string;
}

/** `count` distinct patients with valid (GB 11643) resident ID numbers. */
export function benchPatients(count: number): BenchPatient[] {
  return Array.from({ length: count }, (_, i) => {
    const birth = new Date(Date.UTC(1940 + (i % 70), (i * 7) % 12, 1 + (i % 28)));
    const yyyymmdd = birth.toISOString().slice(0, 10).replace(/-/g, '');
    const first17 = `110105${yyyymmdd}${String(i % 1000).padStart(3, '0')}`;
    return {
      residentId: first17 + residentIdCheckCharacter(first17),
      mrn: `MRN${String(i).padStart(7, '0')}`,
    };
  });
}

export interface BenchMessage {
  readonly controlId: string;
  readonly text: string;
}

/** Message `seq` of connection `connection` in phase `tag` (a short [A-Za-z0-9] label). */
export function benchMessage(
  tag: string,
  connection: number,
  seq: number,
  patients: readonly BenchPatient[],
): BenchMessage {
  const controlId = `${tag}-${connection}-${seq}`;
  const patient = patients[(connection * 7919 + seq) % patients.length]!;
  const text = oruR01({
    controlId,
    accession: `A${controlId}`,
    residentId: patient.residentId,
    mrn: patient.mrn,
    potassium: 3 + (seq % 30) / 10,
  });
  return { controlId, text };
}

/** The stream-id pattern (SQL LIKE) of every report sent in phase `tag`. */
export function streamPatternFor(tag: string): string {
  return `labreport-%-A${tag}-%`;
}
