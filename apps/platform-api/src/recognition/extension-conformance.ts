/**
 * Checks an extension instance against a complex-extension StructureDefinition's differential
 * (the shape contracts/src/recognition/conformance/structure-definition-recognition-eligibility.json uses): the fixed url,
 * closed slicing on `url`, each slice's cardinality, value type or nested slices, and required
 * bindings to ValueSets that include whole CodeSystems. @medplum/core's validator checks the
 * base R4 Extension (and every resource around it), not extension profiles by URL: this covers
 * the rest. Used by the tests on every resource `$recognisable` answers.
 */
import type { fhir4 } from '@yilian/contracts';

type Element = fhir4.ElementDefinition;
type Ext = fhir4.Extension & Record<string, unknown>;

export interface Terminology {
  readonly valueSets: readonly fhir4.ValueSet[];
  readonly codeSystems: readonly fhir4.CodeSystem[];
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function codesOf(valueSetUrl: string, t: Terminology): Set<string> | undefined {
  const vs = t.valueSets.find((v) => v.url === valueSetUrl);
  if (!vs) return undefined;
  const codes = new Set<string>();
  for (const include of vs.compose?.include ?? []) {
    const cs = t.codeSystems.find((c) => c.url === include.system);
    for (const c of include.concept ?? cs?.concept ?? []) codes.add(`${include.system ?? ''}|${c.code}`);
  }
  return codes;
}

export function checkExtension(
  ext: fhir4.Extension,
  sd: fhir4.StructureDefinition,
  terminology: Terminology,
): string[] {
  const elements = sd.differential?.element ?? [];
  const byId = new Map(elements.map((e) => [e.id!, e]));
  const problems: string[] = [];

  const checkLevel = (instance: Ext, prefix: string, where: string): void => {
    const url = byId.get(`${prefix}.url`)?.fixedUri;
    if (url !== undefined && instance.url !== url)
      problems.push(`${where}.url: expected ${url}, got ${instance.url}`);
    const valueType = byId.get(`${prefix}.value[x]`);
    const valueKeys = Object.keys(instance).filter((k) => k.startsWith('value'));
    const subs = (instance.extension ?? []) as Ext[];
    if (valueType?.max === '0') {
      if (valueKeys.length > 0)
        problems.push(`${where}: a complex extension has no value (${valueKeys.join(', ')})`);
    } else if (valueType?.type?.[0]) {
      const key = `value${cap(valueType.type[0].code)}`;
      if (valueKeys.length !== 1 || valueKeys[0] !== key)
        problems.push(`${where}: expected ${key}, got ${valueKeys.join(', ') || 'no value'}`);
      const binding = valueType.binding;
      if (binding?.strength === 'required' && binding.valueSet) {
        const allowed = codesOf(binding.valueSet, terminology);
        const v = instance[key] as { system?: string; code?: string } | string | undefined;
        const coded = typeof v === 'string' ? undefined : `${v?.system ?? ''}|${v?.code ?? ''}`;
        const ok =
          allowed === undefined
            ? false
            : typeof v === 'string'
              ? [...allowed].some((c) => c.endsWith(`|${v}`))
              : allowed.has(coded!);
        if (!ok) problems.push(`${where}: ${JSON.stringify(v)} is not in ${binding.valueSet}`);
      }
      if (subs.length > 0 && byId.get(`${prefix}.extension`)?.max === '0')
        problems.push(`${where}: no nested extensions allowed`);
    }
    const slices = elements.filter(
      (e) => e.sliceName && e.id === `${prefix}.extension:${e.sliceName}`,
    ) as (Element & { sliceName: string })[];
    if (slices.length === 0) return;
    for (const s of subs)
      if (!slices.some((sl) => sl.sliceName === s.url))
        problems.push(`${where}.extension: ${s.url} is not defined`);
    for (const slice of slices) {
      const found = subs.filter((s) => s.url === slice.sliceName);
      const max = slice.max === '*' ? Infinity : Number(slice.max ?? '*');
      if (found.length < (slice.min ?? 0))
        problems.push(`${where}.${slice.sliceName}: at least ${slice.min} expected`);
      if (found.length > max) problems.push(`${where}.${slice.sliceName}: at most ${slice.max} allowed`);
      found.forEach((f, i) => checkLevel(f, slice.id!, `${where}.${slice.sliceName}[${i}]`));
    }
  };

  checkLevel(ext as Ext, 'Extension', 'extension');
  return problems;
}
