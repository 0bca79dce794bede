/**
 * What a `Reference.reference` points at, and whether that type is allowed where it is used.
 *
 * @medplum/core's own check reads the type as the text before the first `/`, so it warns on
 * every valid `urn:uuid:` reference of a transaction Bundle and on every absolute URL
 * (`http:` is not a resource type), and only warns on a genuinely wrong type. The hub drops
 * those warnings and checks here instead: the type is taken from a relative, conditional or
 * absolute reference, from the contained resource a `#id` names, or from the Bundle entry a
 * `urn:uuid:` / full URL names. A reference whose target cannot be known is not judged.
 */

import { isJsonObject } from './element-path';

const TYPE = '[A-Z][A-Za-z]+';
const ID = '[A-Za-z0-9\\-.]{1,64}';
const RELATIVE = new RegExp(`^(${TYPE})/${ID}(?:/_history/${ID})?$`);
const CONDITIONAL = new RegExp(`^(${TYPE})\\?`);
const ABSOLUTE = new RegExp(`^https?://\\S+/(${TYPE})/${ID}(?:/_history/${ID})?$`);
const HL7_SD = 'http://hl7.org/fhir/StructureDefinition/';

export type ReferenceTarget =
  | { readonly kind: 'typed'; readonly type: string }
  | { readonly kind: 'contained'; readonly id: string }
  | { readonly kind: 'uri'; readonly uri: string }
  | { readonly kind: 'unknown' };

/** Classifies a literal reference. `uri` targets (urn:uuid:, urn:oid:, absolute URLs) are
 * looked up among the Bundle's fullUrls by the caller before falling back to the URL's type. */
export function referenceTarget(reference: string): ReferenceTarget {
  if (reference.startsWith('#')) return { kind: 'contained', id: reference.slice(1) };
  const typed = RELATIVE.exec(reference) ?? CONDITIONAL.exec(reference);
  if (typed) return { kind: 'typed', type: typed[1]! };
  if (/^(urn:uuid:|urn:oid:|https?:\/\/)/.test(reference)) return { kind: 'uri', uri: reference };
  return { kind: 'unknown' };
}

/** The type named by an absolute RESTful URL (`http://server/fhir/Observation/123`). */
export function typeOfAbsoluteUrl(url: string): string | undefined {
  return ABSOLUTE.exec(url)?.[1];
}

/** The resource types a Reference element allows, or undefined when any type is allowed or
 * the element is constrained by profiles the hub does not know. */
export function allowedTargetTypes(
  targetProfiles: readonly string[] | undefined,
): readonly string[] | undefined {
  if (!targetProfiles?.length) return undefined;
  const types: string[] = [];
  for (const profile of targetProfiles) {
    if (!profile.startsWith(HL7_SD)) return undefined;
    const type = profile.slice(HL7_SD.length);
    if (type === 'Resource' || type === 'DomainResource') return undefined;
    types.push(type);
  }
  return types;
}

export function referenceTypeMessage(actual: string, allowed: readonly string[]): string {
  return `Reference to ${actual} is not allowed here; expected ${allowed.join(' | ')}`;
}

/** What a reference can be resolved against, where it is. */
export interface ReferenceScope {
  /** Type of the resource holding `contained` (what `#` alone names). */
  readonly containerType: string | undefined;
  /** id → type of the contained resources. */
  readonly containedTypes: ReadonlyMap<string, string>;
  /** fullUrl → type of the entries of the Bundle being validated. */
  readonly entryTypes: ReadonlyMap<string, string>;
}

export function containedTypesOf(resource: Record<string, unknown>): Map<string, string> {
  const types = new Map<string, string>();
  const contained = Array.isArray(resource.contained) ? (resource.contained as unknown[]) : [];
  for (const c of contained) {
    if (isJsonObject(c) && typeof c.id === 'string' && typeof c.resourceType === 'string') {
      types.set(c.id, c.resourceType);
    }
  }
  return types;
}

export function bundleEntryTypes(root: Record<string, unknown>): Map<string, string> {
  const types = new Map<string, string>();
  const entries =
    root.resourceType === 'Bundle' && Array.isArray(root.entry) ? (root.entry as unknown[]) : [];
  for (const e of entries) {
    if (isJsonObject(e) && typeof e.fullUrl === 'string' && isJsonObject(e.resource)) {
      const type = e.resource.resourceType;
      if (typeof type === 'string') types.set(e.fullUrl, type);
    }
  }
  return types;
}

function targetType(reference: string, scope: ReferenceScope): string | undefined {
  const target = referenceTarget(reference);
  switch (target.kind) {
    case 'typed':
      return target.type;
    case 'contained':
      return target.id === '' ? scope.containerType : scope.containedTypes.get(target.id);
    case 'uri':
      return scope.entryTypes.get(target.uri) ?? typeOfAbsoluteUrl(target.uri);
    case 'unknown':
      return undefined;
  }
}

/** Why the reference names a type the element does not allow, or undefined. */
export function wrongTargetMessage(
  reference: unknown,
  targetProfiles: readonly string[] | undefined,
  scope: ReferenceScope,
): string | undefined {
  const allowed = allowedTargetTypes(targetProfiles);
  if (!allowed || typeof reference !== 'string') return undefined;
  const actual = targetType(reference, scope);
  return actual && !allowed.includes(actual) ? referenceTypeMessage(actual, allowed) : undefined;
}
