/**
 * The decline reasons (national list + local additions) as Codings, read from the repository's
 * CodeSystem and ValueSet (contracts/src/recognition/conformance): the ValueSet says which codes
 * and in which order, the CodeSystem gives each its display. Never strings in code. Shared by the
 * decisions (intake, console) and the CDS Hooks cards' `overrideReasons`.
 */
import type { fhir4 } from '@yilian/contracts';
import codeSystemJson from '../../../../contracts/src/recognition/conformance/codesystem-recognition-decline-reason.json';
import valueSetJson from '../../../../contracts/src/recognition/conformance/valueset-recognition-decline-reason.json';

export interface ReasonCoding {
  readonly system: string;
  readonly code: string;
  readonly display: string;
}

export const DECLINE_REASON_CODESYSTEM = codeSystemJson as unknown as fhir4.CodeSystem;
export const DECLINE_REASON_VALUESET = valueSetJson as unknown as fhir4.ValueSet;

/** The ValueSet's codes as Codings with their display (expansion of an enumerated compose). */
export function expandValueSet(
  valueSet: fhir4.ValueSet,
  codeSystems: readonly fhir4.CodeSystem[],
): ReasonCoding[] {
  const codings: ReasonCoding[] = [];
  for (const include of valueSet.compose?.include ?? []) {
    const system = codeSystems.find((cs) => cs.url === include.system);
    if (!include.system || !system)
      throw new Error(`ValueSet ${valueSet.url}: code system ${include.system} not at hand`);
    const concepts = include.concept
      ? include.concept.map((c) => {
          const found = system.concept?.find((d) => d.code === c.code);
          if (!found) throw new Error(`ValueSet ${valueSet.url}: ${c.code} is not a code of ${system.url}`);
          return { code: c.code, display: c.display ?? found.display };
        })
      : (system.concept ?? []).map((c) => ({ code: c.code, display: c.display }));
    for (const c of concepts) {
      if (!c.display) throw new Error(`ValueSet ${valueSet.url}: ${c.code} has no display`);
      codings.push({ system: include.system, code: c.code, display: c.display });
    }
  }
  return codings;
}

/** Every decline reason, in the ValueSet's order. */
export const DECLINE_REASONS: readonly ReasonCoding[] = expandValueSet(DECLINE_REASON_VALUESET, [
  DECLINE_REASON_CODESYSTEM,
]);
export const DECLINE_REASON_SYSTEM = DECLINE_REASON_CODESYSTEM.url!;
/** `system|code` of each, for the decider. */
export const DECLINE_REASON_KEYS: ReadonlySet<string> = new Set(
  DECLINE_REASONS.map((r) => `${r.system}|${r.code}`),
);

/** The reason for a bare code of the ValueSet (the console sends codes only). */
export function declineReason(code: string): ReasonCoding | undefined {
  return DECLINE_REASONS.find((r) => r.code === code);
}
