/**
 * Checks the hub runs beside @medplum/core's validator, for what that validator leaves out.
 * It walks the JSON once along the official schemas (the ones @medplum/core indexed) and:
 *
 * - evaluates, with @medplum/core's FHIRPath engine, the invariants declared on the root of
 *   every data type (per-1 Period start ≤ end, qty-3, ref-1, ext-1, sqty-1 …) and of every
 *   nested resource (Bundle.entry.resource, contained): @medplum/core checks those of the
 *   validated resource only, so an Observation with value[x] and dataAbsentReason (obs-6)
 *   passes inside a Bundle. An invariant fails when it evaluates to false; an empty result
 *   (values not comparable) is not a failure.
 * - checks `code` elements with a required binding against the core ValueSet
 *   (DiagnosticReport.status "done" is rejected);
 * - checks the JSON shape where @medplum/core is silent or confusing: an object where a
 *   primitive is expected, a string or number where an object is expected (`subject: "x"`,
 *   `valueQuantity: 5`), two values for one choice element, a nested resource without
 *   resourceType or of a type that is not R4;
 * - checks reference target types (see reference-target.ts).
 *
 * `malformed` lists the paths whose shape is wrong: @medplum/core's messages below them are
 * noise (it reads a string's characters as properties) and are dropped by the caller.
 */
import {
  capitalize,
  getElementDefinitionFromElements,
  isPrimitiveType,
  tryGetDataType,
  type ElementType,
  type InternalSchemaElement,
  type InternalTypeSchema,
  type TypedValue,
} from '@medplum/core';
import { isJsonObject } from './element-path';
import { isR4ResourceType } from './r4-definitions';
import {
  bundleEntryTypes,
  containedTypesOf,
  wrongTargetMessage,
  type ReferenceScope,
} from './reference-target';
import { typeInvariantIssues } from './type-invariants';
import { issue, type ValidationIssue } from './validation-issue';
import { requiredCodeMessage, type Binding } from './value-set-codes';

const QUANTITY_PROFILES: Record<string, string> = {
  'http://hl7.org/fhir/StructureDefinition/SimpleQuantity': 'SimpleQuantity',
  'http://hl7.org/fhir/StructureDefinition/MoneyQuantity': 'MoneyQuantity',
};

interface ResourceFrame {
  readonly self: TypedValue;
  /** The resource that holds `contained`: itself, or its container when contained. */
  readonly root: TypedValue;
  readonly containedTypes: ReadonlyMap<string, string>;
}

export interface SupplementaryResult {
  readonly issues: ValidationIssue[];
  readonly malformed: string[];
}

export function supplementaryChecks(
  resource: Record<string, unknown>,
  schema: InternalTypeSchema,
): SupplementaryResult {
  const walker = new Walker(resource);
  walker.walk(resource, schema, schema.name, true);
  return { issues: walker.issues, malformed: walker.malformed };
}

function describe(value: unknown): string {
  return Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`;
}

class Walker {
  readonly issues: ValidationIssue[] = [];
  readonly malformed: string[] = [];
  private readonly frames: ResourceFrame[] = [];
  /** fullUrl → resourceType of the entries of a root Bundle. */
  private readonly entryTypes: ReadonlyMap<string, string>;

  constructor(root: Record<string, unknown>) {
    this.entryTypes = bundleEntryTypes(root);
  }

  walk(obj: Record<string, unknown>, schema: InternalTypeSchema, path: string, isRoot: boolean): void {
    const isResource = schema.kind === 'resource';
    if (isResource) this.enterResource(obj, schema, path);
    if (!isRoot && (isResource || schema.kind === 'complex-type')) this.checkInvariants(obj, schema, path);
    const choices = new Map<string, string>();
    for (const [key, value] of Object.entries(obj)) {
      if (key === 'resourceType' || key.startsWith('_') || value === undefined || value === null) continue;
      const found = getElementDefinitionFromElements(schema.elements, key);
      // the lookup reads a plain object: "valueOf", "constructor"… find Object.prototype members
      const element = found && typeof found.path === 'string' ? found : undefined;
      const type = element && this.typeOf(element, key, `${path}.${key}`, choices);
      if (!element || !type) continue;
      if (Array.isArray(value) && !element.isArray)
        this.shape(`${path}.${key}`, `Expected one ${type.code}, got an array`);
      else if (Array.isArray(value))
        value.forEach((v, i) => this.checkValue(v, `${path}.${key}[${i}]`, element, type));
      else this.checkValue(value, `${path}.${key}`, element, type);
    }
    if (isResource) this.frames.pop();
  }

  private typeOf(
    element: InternalSchemaElement,
    key: string,
    path: string,
    choices: Map<string, string>,
  ): ElementType | undefined {
    const name = element.path.slice(element.path.lastIndexOf('.') + 1);
    if (!name.endsWith('[x]')) return key === name && element.type.length === 1 ? element.type[0] : undefined;
    const base = name.slice(0, -3);
    const type = element.type.find((t) => base + capitalize(t.code) === key);
    const other = choices.get(base);
    if (type && other) {
      this.issues.push(
        issue('error', 'structure', path, `Only one of ${base}[x] may be present: found ${other} and ${key}`),
      );
    } else if (type) choices.set(base, key);
    return type;
  }

  private checkValue(value: unknown, path: string, element: InternalSchemaElement, type: ElementType): void {
    if (value === null || value === undefined) return;
    if (isPrimitiveType(type.code)) {
      if (typeof value === 'object')
        return this.shape(path, `Expected a ${type.code} value, got ${describe(value)}`);
      if (type.code === 'code' && typeof value === 'string') this.checkCode(value, path, element);
      return;
    }
    if (!isJsonObject(value))
      return this.shape(path, `Expected a ${type.code} object, got ${describe(value)}`);
    const schema = this.schemaOf(type, value, path);
    if (!schema) return;
    if (type.code === 'Reference') this.checkReference(value, path, type);
    this.walk(value, schema, path, false);
  }

  private shape(path: string, message: string): void {
    this.issues.push(issue('error', 'structure', path, message));
    this.malformed.push(path);
  }

  private schemaOf(
    type: ElementType,
    value: Record<string, unknown>,
    path: string,
  ): InternalTypeSchema | undefined {
    if (type.code !== 'Resource')
      return tryGetDataType(QUANTITY_PROFILES[type.profile?.[0] ?? ''] ?? type.code);
    const resourceType = value.resourceType;
    if (typeof resourceType !== 'string') {
      this.shape(path, 'A resource must have a resourceType');
      return undefined;
    }
    if (!isR4ResourceType(resourceType)) {
      this.shape(path, `Unknown resource type "${resourceType}": not a FHIR R4 resource`);
      return undefined;
    }
    return tryGetDataType(resourceType);
  }

  private enterResource(obj: Record<string, unknown>, schema: InternalTypeSchema, path: string): void {
    const self: TypedValue = { type: schema.name, value: obj };
    const container = /\.contained\[\d+\]$/.test(path) ? this.frames.at(-1) : undefined;
    this.frames.push(
      container
        ? { self, root: container.root, containedTypes: container.containedTypes }
        : { self, root: self, containedTypes: containedTypesOf(obj) },
    );
  }

  private checkInvariants(obj: Record<string, unknown>, schema: InternalTypeSchema, path: string): void {
    const frame = this.frames.at(-1);
    const context: TypedValue = { type: schema.name, value: obj };
    this.issues.push(...typeInvariantIssues(context, schema.constraints, path, frame?.self, frame?.root));
  }

  private checkCode(value: string, path: string, element: InternalSchemaElement): void {
    const message = requiredCodeMessage(value, element.binding as Binding | undefined);
    if (message) this.issues.push(issue('error', 'code-invalid', path, message));
  }

  private checkReference(value: Record<string, unknown>, path: string, type: ElementType): void {
    const frame = this.frames.at(-1);
    const scope: ReferenceScope = {
      containerType: frame?.root.type,
      containedTypes: frame?.containedTypes ?? new Map(),
      entryTypes: this.entryTypes,
    };
    const message = wrongTargetMessage(value.reference, type.targetProfile, scope);
    if (message) this.issues.push(issue('error', 'structure', path, message));
  }
}
