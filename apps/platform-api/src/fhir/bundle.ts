import { randomUUID } from 'node:crypto';
import type { fhir4 } from '@yilian/contracts';

export function searchsetBundle(args: {
  baseUrl: string;
  selfUrl: string;
  total?: number;
  resources: readonly fhir4.Resource[];
  nextUrl?: string;
  /** `_include`d resources (search mode include). */
  included?: readonly fhir4.Resource[];
  /** Warnings about the search itself (search mode outcome). */
  outcome?: fhir4.OperationOutcome;
}): fhir4.Bundle {
  const entry = (resource: fhir4.Resource, mode: 'match' | 'include') => ({
    fullUrl: `${args.baseUrl}/${resource.resourceType}/${resource.id}`,
    resource,
    search: { mode },
  });
  const entries = [
    ...args.resources.map((r) => entry(r, 'match')),
    ...(args.included ?? []).map((r) => entry(r, 'include')),
    // every entry of a searchset has a fullUrl (bdl-7 / HAPI: "each entry in a Bundle must have a
    // fullUrl"); the outcome has no id of its own on this server: a urn:uuid
    ...(args.outcome
      ? [
          {
            fullUrl: `urn:uuid:${randomUUID()}`,
            resource: args.outcome,
            search: { mode: 'outcome' as const },
          },
        ]
      : []),
  ];
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(args.total !== undefined ? { total: args.total } : {}),
    link: [
      { relation: 'self', url: args.selfUrl },
      ...(args.nextUrl ? [{ relation: 'next', url: args.nextUrl }] : []),
    ],
    // an empty array is no FHIR (ele-1, "Array cannot be empty"): an empty searchset has no entry
    ...(entries.length > 0 ? { entry: entries } : {}),
  };
}

export function historyBundle(baseUrl: string, resources: readonly fhir4.Resource[]): fhir4.Bundle {
  return {
    resourceType: 'Bundle',
    type: 'history',
    total: resources.length,
    ...(resources.length > 0
      ? {
          entry: resources.map((resource) => ({
            fullUrl: `${baseUrl}/${resource.resourceType}/${resource.id}`,
            resource,
            request: { method: 'PUT' as const, url: `${resource.resourceType}/${resource.id}` },
            response: { status: '200', lastModified: resource.meta?.lastUpdated },
          })),
        }
      : {}),
  };
}
