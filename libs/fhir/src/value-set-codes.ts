/**
 * The codes of a core R4 ValueSet, for checking `code` elements with a required binding
 * (e.g. DiagnosticReport.status, Observation.status, Bundle.entry.request.method), which
 * @medplum/core's synchronous validator does not check.
 *
 * A ValueSet is enumerated from its `compose` when every include is a list of concepts or a
 * whole CodeSystem of the core definitions with `content = complete` (nested concepts
 * included). A ValueSet using filters, excludes, or systems not in the core definitions
 * (mime types, currencies, languages) is not enumerable here: its elements are not checked
 * rather than wrongly rejected.
 */
import { terminologyResource, type CodeSystemConcept, type ValueSetInclude } from './r4-definitions';

const cache = new Map<string, ReadonlySet<string> | null>();

function addConcepts(into: Set<string>, concepts: readonly CodeSystemConcept[] | undefined): void {
  for (const c of concepts ?? []) {
    into.add(c.code);
    addConcepts(into, c.concept);
  }
}

function addInclude(into: Set<string>, include: ValueSetInclude, seen: ReadonlySet<string>): boolean {
  if (include.filter?.length) return false;
  for (const url of include.valueSet ?? []) {
    const codes = enumerate(url, seen);
    if (!codes) return false;
    codes.forEach((c) => into.add(c));
  }
  if (include.concept?.length) {
    include.concept.forEach((c) => into.add(c.code));
    return true;
  }
  if (include.system === undefined) return (include.valueSet?.length ?? 0) > 0;
  const system = terminologyResource(include.system);
  if (system?.resourceType !== 'CodeSystem' || system.content !== 'complete') return false;
  addConcepts(into, system.concept);
  return true;
}

function enumerate(url: string, seen: ReadonlySet<string>): ReadonlySet<string> | null {
  if (seen.has(url)) return null;
  const valueSet = terminologyResource(url);
  if (valueSet?.resourceType !== 'ValueSet' || !valueSet.compose?.include?.length) return null;
  if (valueSet.compose.exclude?.length) return null;
  const codes = new Set<string>();
  const inner = new Set([...seen, url]);
  for (const include of valueSet.compose.include) {
    if (!addInclude(codes, include, inner)) return null;
  }
  return codes;
}

/** The codes of the ValueSet (canonical URL, `|version` ignored), or undefined when it
 * cannot be enumerated from the core definitions. */
export function valueSetCodes(canonical: string): ReadonlySet<string> | undefined {
  const url = canonical.split('|', 1)[0]!;
  let codes = cache.get(url);
  if (codes === undefined) {
    codes = enumerate(url, new Set());
    cache.set(url, codes);
  }
  return codes ?? undefined;
}

/** An ElementDefinition binding, as the schema keeps it. */
export interface Binding {
  readonly strength?: string;
  readonly valueSet?: string;
}

/** Why `code` breaks a required binding, or undefined when it does not (or cannot be told). */
export function requiredCodeMessage(code: string, binding: Binding | undefined): string | undefined {
  if (binding?.strength !== 'required' || !binding.valueSet) return undefined;
  const codes = valueSetCodes(binding.valueSet);
  if (!codes || codes.has(code)) return undefined;
  const list = codes.size <= 12 ? ` (${[...codes].join(', ')})` : '';
  return `Value "${code}" is not in the required value set ${binding.valueSet.split('|', 1)[0]}${list}`;
}
