import type { fhir4 } from '@yilian/contracts';
import { AS_OF_TYPES } from '../as-of/as-of-reads';
import { RECOGNITION_FHIR } from '../recognition/recognition-fhir';
import { TOKEN_PATH } from '../smart/urls';
import { SEARCH_TABLES, type ParamSpec } from './search/search-tables';

type Resource = fhir4.CapabilityStatementRestResource;
type Interaction = fhir4.CapabilityStatementRestResourceInteraction['code'];
type Param = fhir4.CapabilityStatementRestResourceSearchParam;

const TYPE_OF: Record<ParamSpec['kind'], Param['type']> = {
  patient: 'reference',
  id: 'token',
  date: 'date',
  'text-column': 'token',
  'tokens-column': 'token',
  concept: 'token',
  identifier: 'token',
};

/**
 * What the read side serves, per resource type: interactions, search parameters, operations.
 * A test (capability.e2e.spec.ts) compares this with the GET routes the Nest app serves under
 * /fhir: a new route needs its line here. Search parameters come from fhir/search/search-tables.
 */
export const SERVED: Readonly<Record<string, { interactions: Interaction[]; operations?: string[] }>> = {
  DiagnosticReport: { interactions: ['read', 'vread', 'search-type', 'history-instance'] },
  Observation: { interactions: ['read', 'vread', 'search-type', 'history-instance'] },
  ImagingStudy: { interactions: ['read', 'vread', 'search-type', 'history-instance'] },
  ServiceRequest: { interactions: ['read', 'vread', 'search-type', 'history-instance'] },
  Task: { interactions: ['read', 'vread', 'search-type', 'history-instance'] },
  Patient: {
    interactions: ['read', 'vread', 'search-type', 'history-instance'],
    operations: ['everything', 'export', 'recognisable'],
  },
  AuditEvent: { interactions: ['read', 'search-type'] },
  // the member institutions (fhir/directory.controller.ts)
  Organization: { interactions: ['read', 'search-type'] },
  // an alliance's patients, for Group-level Bulk Data export (bulk/patient-groups.ts)
  Group: { interactions: ['read', 'search-type'], operations: ['export'] },
  // the conformance resources of $recognisable (contracts/src/recognition/conformance)
  StructureDefinition: { interactions: ['read', 'search-type'] },
  CodeSystem: { interactions: ['read', 'search-type'] },
  ValueSet: { interactions: ['read', 'search-type'] },
  OperationDefinition: { interactions: ['read', 'search-type'] },
};

/** Operations on the whole system (`GET /fhir/$<name>`). */
export const SYSTEM_OPERATIONS: readonly string[] = ['export'];

const OPERATION_DEFINITION: Readonly<Record<string, string>> = {
  everything: 'http://hl7.org/fhir/OperationDefinition/Patient-everything',
  export: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export',
  recognisable: RECOGNITION_FHIR.operationDefinition,
};

/** Where a type-level operation has its own definition: the Bulk Data IG's Patient-level export. */
const TYPE_OPERATION_DEFINITION: Readonly<Record<string, string>> = {
  'Patient/export': 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export',
  'Group/export': 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export',
};

/** Canonical resources served in /fhir: search by `url` only. */
const CONFORMANCE_TYPES: ReadonlySet<string> = new Set([
  'StructureDefinition',
  'CodeSystem',
  'ValueSet',
  'OperationDefinition',
]);

const AUDIT_EVENT_PARAMS: Param[] = [
  { name: 'patient', type: 'reference', documentation: 'Patient/{hub patient key}' },
  { name: 'entity', type: 'reference' },
  { name: 'agent', type: 'reference', documentation: 'Device/{client name} or Organization/{code}' },
  { name: 'date', type: 'date' },
  { name: 'type', type: 'token' },
  { name: 'subtype', type: 'token' },
  { name: 'outcome', type: 'token' },
  { name: '_count', type: 'number' },
];

/** As of a past moment, from the log (as-of/, docs/as-of.md). */
const AT_PARAM: Param = {
  name: '_at',
  type: 'date',
  documentation:
    'auditor key only, with patient: what the hub knew at this instant, folded from the log (also on Patient/{key}/$everything); docs/as-of.md',
};

function searchParams(type: string): Param[] {
  if (type === 'AuditEvent') return AUDIT_EVENT_PARAMS;
  if (CONFORMANCE_TYPES.has(type)) return [{ name: 'url', type: 'uri' }];
  if (type === 'Organization')
    return [
      { name: '_id', type: 'token' },
      { name: 'identifier', type: 'token' },
      { name: 'name', type: 'string' },
    ];
  if (type === 'Patient')
    return [
      {
        name: 'identifier',
        type: 'token',
        documentation: 'system|value, by POST /fhir/Patient/_search only (never in a URL)',
      },
    ];
  const table = SEARCH_TABLES[type as keyof typeof SEARCH_TABLES];
  if (!table) return [];
  return [
    ...Object.entries(table.params).map(([name, spec]) => ({ name, type: TYPE_OF[spec.kind] })),
    { name: '_count', type: 'number' as const },
    ...((AS_OF_TYPES as readonly string[]).includes(type) ? [AT_PARAM] : []),
  ];
}

/** `base`: the hub's address as the client reached it (the token endpoint is named absolute). */
export function capabilityStatement(base = 'http://localhost'): fhir4.CapabilityStatement {
  const resource: Resource[] = Object.entries(SERVED).map(([type, s]) => {
    const table = SEARCH_TABLES[type as keyof typeof SEARCH_TABLES];
    return {
      type: type as Resource['type'],
      interaction: s.interactions.map((code) => ({ code })),
      ...(searchParams(type).length > 0 ? { searchParam: searchParams(type) } : {}),
      ...(table?.includes ? { searchInclude: Object.keys(table.includes) } : {}),
      ...(s.operations
        ? {
            operation: s.operations.map((name) => ({
              name,
              definition: TYPE_OPERATION_DEFINITION[`${type}/${name}`] ?? OPERATION_DEFINITION[name] ?? name,
            })),
          }
        : {}),
    };
  });
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-12-06',
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['application/fhir+json'],
    implementation: { description: 'Yilian hub read side (platform-api)' },
    rest: [
      {
        mode: 'server',
        security: {
          service: [
            {
              coding: [
                {
                  system: 'http://terminology.hl7.org/CodeSystem/restful-security-service',
                  code: 'SMART-on-FHIR',
                },
              ],
            },
          ],
          description:
            'API key per client (Authorization: Bearer), with a role (platform, institution, auditor) and SMART system scopes (system/{Type}.read); or, for a client with a registered JWK Set, SMART Backend Services: an access token from the token endpoint for a signed JWT assertion (RS384/ES384), discovery at .well-known/smart-configuration (token endpoint ' +
            base +
            TOKEN_PATH +
            '); docs/access.md',
        },
        resource,
        operation: SYSTEM_OPERATIONS.map((name) => ({
          name,
          definition: OPERATION_DEFINITION[name] ?? name,
        })),
      },
    ],
  };
}
