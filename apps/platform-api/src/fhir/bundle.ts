import type { fhir4 } from '@yilian/contracts';

export function searchsetBundle(args: {
  baseUrl: string;
  selfUrl: string;
  total: number;
  resources: readonly fhir4.Resource[];
  nextUrl?: string;
}): fhir4.Bundle {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: args.total,
    link: [
      { relation: 'self', url: args.selfUrl },
      ...(args.nextUrl ? [{ relation: 'next', url: args.nextUrl }] : []),
    ],
    entry: args.resources.map((resource) => ({
      fullUrl: `${args.baseUrl}/${resource.resourceType}/${resource.id}`,
      resource,
      search: { mode: 'match' as const },
    })),
  };
}

export function historyBundle(baseUrl: string, resources: readonly fhir4.Resource[]): fhir4.Bundle {
  return {
    resourceType: 'Bundle',
    type: 'history',
    total: resources.length,
    entry: resources.map((resource) => ({
      fullUrl: `${baseUrl}/${resource.resourceType}/${resource.id}`,
      resource,
      request: { method: 'PUT' as const, url: `${resource.resourceType}/${resource.id}` },
      response: { status: '200', lastModified: resource.meta?.lastUpdated },
    })),
  };
}
