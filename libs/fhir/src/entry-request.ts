/**
 * `Bundle.entry.request` of a transaction the hub accepts: a create (`POST Type`, optionally
 * conditional with `ifNoneExist: identifier=system|value`) or a conditional update on an
 * identifier (`PUT Type?identifier=system|value`). The identifier named must be one the
 * resource carries, so a resend of the same entry is recognised as the same thing. Reads,
 * deletes, patches and updates by server id are not something a member system asks of the hub.
 */
import type * as fhir4 from 'fhir/r4';
import { isJsonObject } from './element-path';
import { issue, type ValidationIssue } from './validation-issue';

interface IdentifierLike {
  readonly system?: unknown;
  readonly value?: unknown;
}

/** `identifier=system|value` (or `identifier=value`) → its parts; undefined for any other
 * search (other parameters, several identifiers). */
export function identifierSearch(query: string): { system?: string; value: string } | undefined {
  const params = new URLSearchParams(query);
  const keys = [...params.keys()];
  const token = params.get('identifier');
  if (keys.length !== 1 || keys[0] !== 'identifier' || !token) return undefined;
  const bar = token.indexOf('|');
  if (bar < 0) return { value: token };
  const value = token.slice(bar + 1);
  return value ? { system: token.slice(0, bar), value } : undefined;
}

function identifiersOf(resource: Record<string, unknown>): IdentifierLike[] {
  const list = Array.isArray(resource.identifier) ? (resource.identifier as unknown[]) : [];
  const accession = resource.resourceType === 'Specimen' ? [resource.accessionIdentifier] : [];
  return [...list, ...accession].filter(isJsonObject);
}

function carries(resource: Record<string, unknown>, search: { system?: string; value: string }): boolean {
  return identifiersOf(resource).some(
    (i) => i.value === search.value && (search.system === undefined || (i.system ?? '') === search.system),
  );
}

function checkIdentifierSearch(
  query: string,
  resource: Record<string, unknown>,
  path: string,
  issues: ValidationIssue[],
): void {
  const search = identifierSearch(query);
  if (!search) {
    issues.push(
      issue(
        'error',
        'not-supported',
        path,
        'Only a search on one identifier is accepted: identifier=system|value',
      ),
    );
  } else if (!carries(resource, search)) {
    issues.push(
      issue('error', 'invalid', path, 'The identifier searched on is not an identifier of the resource'),
    );
  }
}

/** Issues with `entry.request`; `path` is the entry's (`Bundle.entry[2]`). */
export function checkEntryRequest(
  request: unknown,
  resource: Record<string, unknown>,
  path: string,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (!isJsonObject(request)) {
    return [issue('error', 'required', `${path}.request`, 'Each entry of a transaction needs a request')];
  }
  const type = String(resource.resourceType);
  const method = request.method as fhir4.BundleEntryRequest['method'] | undefined;
  const url = typeof request.url === 'string' ? request.url : '';
  if (method === 'POST') {
    if (url !== type) {
      issues.push(
        issue('error', 'invalid', `${path}.request.url`, `A create of a ${type} is POST to "${type}"`),
      );
    }
    if (typeof request.ifNoneExist === 'string') {
      checkIdentifierSearch(request.ifNoneExist, resource, `${path}.request.ifNoneExist`, issues);
    }
  } else if (method === 'PUT') {
    const [target, query] = url.split('?', 2) as [string, string | undefined];
    if (target !== type || query === undefined) {
      issues.push(
        issue(
          'error',
          'not-supported',
          `${path}.request.url`,
          `PUT is accepted only as a conditional update on an identifier: ${type}?identifier=system|value`,
        ),
      );
    } else checkIdentifierSearch(query, resource, `${path}.request.url`, issues);
  } else if (method === 'GET' || method === 'HEAD' || method === 'DELETE' || method === 'PATCH') {
    issues.push(
      issue(
        'error',
        'not-supported',
        `${path}.request.method`,
        `Method ${method} is not accepted: an entry is a POST (create) or a conditional PUT`,
      ),
    );
  }
  return issues;
}
