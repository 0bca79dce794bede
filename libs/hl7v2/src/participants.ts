/**
 * PRT (participation, 2.7+): who took part in an order or an observation, by PRT-4 role
 * (table 0912): PI primary interpreter, AI assistant interpreter, RO responsible observer, VP
 * verifying provider, OP ordering provider, PO performing organization … The person is PRT-5
 * (XCN). Earlier versions name the same people in OBR-32 / OBX-16; the mappings read those
 * first and PRT where they are empty. A PRT whose role the hub does not use is ignored.
 */
import type * as fhir4 from 'fhir/r4';
import { textComponent } from './hl7-fields';
import { personOf } from './imaging/imaging-order';
import type { SegmentRef } from './oru-r01.groups';

/** Who read the result: the first PRT with role PI (else AI, VP). */
export const INTERPRETER_ROLES = ['PI', 'AI', 'VP'] as const;
/** Who is responsible for an observation: RO (else VP). */
export const OBSERVER_ROLES = ['RO', 'VP'] as const;

/** The person of the first PRT whose PRT-4 is the first of `roles` present. */
export function participant(
  prts: readonly SegmentRef[] | undefined,
  roles: readonly string[],
  institution: string,
): fhir4.Reference | undefined {
  if (!prts || prts.length === 0) return undefined;
  for (const role of roles) {
    const prt = prts.find((p) => textComponent(p.segment, 4, 1).toUpperCase() === role);
    const person = prt ? personOf(prt, 5, institution) : undefined;
    if (person) return person;
  }
  return undefined;
}
