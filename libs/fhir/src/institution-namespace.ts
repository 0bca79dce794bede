import { issue, type ValidationIssue } from './validation-issue';

/** `urn:yilian:institution:{code}:{kind}`: the identifier namespaces the hub gives each
 * institution (accession, mrn, placer, specimen, document, referral, study …). */
const NAMESPACE = /^urn:yilian:institution:([A-Za-z0-9][A-Za-z0-9._-]{0,63}):([A-Za-z-]+)$/;

/** The institution whose namespace `system` is, when it is one of ours. */
export function namespaceInstitution(system: unknown): { institution: string; kind: string } | undefined {
  if (typeof system !== 'string') return undefined;
  const m = NAMESPACE.exec(system);
  return m ? { institution: m[1]!, kind: m[2]! } : undefined;
}

/** Whether `system` is another institution's namespace than the sender's (for HL7 v2 fields
 * such as an assigning authority given as a URN). */
export function isForeignNamespace(system: unknown, sender: string): boolean {
  const ns = namespaceInstitution(system);
  return ns !== undefined && ns.institution !== sender;
}

/**
 * Every identifier in a FHIR write that claims another institution's namespace: the hub keys
 * reports, patients, referrals and studies by `urn:yilian:institution:{code}:…`, and the code is
 * the sender's credential, never the body's. Each is an issue at its path (422). Not checked:
 * references that *name* a record of another institution on purpose — `Patient.link.other`
 * (a see-also / merge partner) — and code systems inside codings, which key nothing.
 */
export function foreignNamespaceIssues(body: unknown, sender: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const root =
    typeof body === 'object' &&
    body !== null &&
    typeof (body as { resourceType?: unknown }).resourceType === 'string'
      ? (body as { resourceType: string }).resourceType
      : 'Resource';
  walk(body, root, false, sender, issues);
  return issues;
}

function walk(node: unknown, path: string, inLink: boolean, sender: string, issues: ValidationIssue[]): void {
  if (Array.isArray(node)) {
    node.forEach((v, i) => walk(v, `${path}[${i}]`, inLink, sender, issues));
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const o = node as Record<string, unknown>;
  const isIdentifier = 'value' in o && 'system' in o && !('code' in o);
  if (isIdentifier && !inLink && isForeignNamespace(o.system, sender)) {
    const ns = namespaceInstitution(o.system)!;
    issues.push(
      issue(
        'error',
        'value',
        `${path}.system`,
        `identifier system ${String(o.system)} is institution ${ns.institution}'s ${ns.kind} namespace; you send as ${sender} (use urn:yilian:institution:${sender}:${ns.kind})`,
      ),
    );
  }
  const isPatient = o.resourceType === 'Patient';
  for (const [k, v] of Object.entries(o)) {
    walk(v, `${path}.${k}`, inLink || (isPatient && k === 'link'), sender, issues);
  }
}
