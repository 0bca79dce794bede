/**
 * What a member system sends over FHIR about a referral, read into one submission:
 *
 * - a new referral: a transaction Bundle with one ServiceRequest (POST), optionally the Patient
 *   it names (as a Bundle entry or contained) and the Task that goes with it (POST, status
 *   requested); or the ServiceRequest alone (POST /fhir/ServiceRequest);
 * - a workflow step: a transaction Bundle with one Task (PUT Task/{id}), or PUT /fhir/Task/{id}.
 *
 * A transaction touches one referral (one stream, one atomic append). Paths name the element
 * at fault as sent, `Bundle.entry[1].resource.subject`.
 */
import type { fhir4 } from '@yilian/contracts';
import { ID_PATTERN } from '../contracts';
import type { FhirIssue, FhirMapping } from '../referral-fhir.outcome';

export type ReferralSubmission =
  | {
      readonly kind: 'request';
      readonly serviceRequest: fhir4.ServiceRequest;
      /** `ServiceRequest` or `Bundle.entry[i].resource`: where issues of the mapper point. */
      readonly path: string;
      /** The Patient named by ServiceRequest.subject (contained or in the Bundle), if any. */
      readonly patient?: fhir4.Patient;
      /** Index of each entry that asked for something, by resource type (for the response). */
      readonly entries: readonly { readonly resourceType: string }[];
    }
  | { readonly kind: 'task'; readonly task: fhir4.Task; readonly referralId: string; readonly path: string };

/** Routing: a Bundle that carries a ServiceRequest or a Task is a referral's. */
export function isReferralBundle(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const { resourceType, entry } = body as { resourceType?: unknown; entry?: unknown };
  if (resourceType !== 'Bundle' || !Array.isArray(entry)) return false;
  return entry.some((e: { resource?: { resourceType?: unknown } } | null) => {
    const type = e?.resource?.resourceType;
    return type === 'ServiceRequest' || type === 'Task';
  });
}

const issue = (code: FhirIssue['code'], path: string, message: string): FhirMapping<never> => ({
  ok: false,
  issues: [{ code, path, message }],
});

/** The Patient ServiceRequest.subject names: contained (`#id`) or a Bundle entry (fullUrl). */
function subjectPatient(
  sr: fhir4.ServiceRequest,
  bundlePatients: ReadonlyMap<string, fhir4.Patient>,
): fhir4.Patient | undefined {
  const reference = sr.subject?.reference;
  if (!reference) return undefined;
  if (reference.startsWith('#')) {
    return sr.contained?.find(
      (r): r is fhir4.Patient => r.resourceType === 'Patient' && `#${r.id}` === reference,
    );
  }
  return bundlePatients.get(reference);
}

export function readServiceRequest(
  sr: fhir4.ServiceRequest,
  path = 'ServiceRequest',
  bundlePatients: ReadonlyMap<string, fhir4.Patient> = new Map(),
  entries: readonly { readonly resourceType: string }[] = [{ resourceType: 'ServiceRequest' }],
): FhirMapping<ReferralSubmission> {
  const patient = subjectPatient(sr, bundlePatients);
  if (sr.subject?.reference && !sr.subject.reference.startsWith('Patient/') && !patient)
    return issue('not-found', `${path}.subject.reference`, 'names no Patient in this submission');
  return {
    ok: true,
    command: { kind: 'request', serviceRequest: sr, path, ...(patient ? { patient } : {}), entries },
  };
}

export function readTaskUpdate(
  task: fhir4.Task,
  referralId: string,
  path = 'Task',
): FhirMapping<ReferralSubmission> {
  if (!ID_PATTERN.test(referralId))
    return issue('invalid', `${path}.id`, `${referralId} is not a referral id`);
  if (task.id !== undefined && task.id !== referralId)
    return issue('invalid', `${path}.id`, `the Task is ${task.id}, the request updates Task/${referralId}`);
  const focus = task.focus?.reference;
  if (focus !== undefined && focus !== `ServiceRequest/${referralId}`)
    return issue('invalid', `${path}.focus`, `a referral Task focuses on ServiceRequest/${referralId}`);
  const withFocus = { ...task, focus: { reference: `ServiceRequest/${referralId}` } };
  return { ok: true, command: { kind: 'task', task: withFocus, referralId, path } };
}

export function readReferralBundle(bundle: fhir4.Bundle): FhirMapping<ReferralSubmission> {
  if (bundle.type !== 'transaction')
    return issue('not-supported', 'Bundle.type', 'a referral is sent as a transaction Bundle');
  const entries = bundle.entry ?? [];
  const patients = new Map<string, fhir4.Patient>();
  let request: { sr: fhir4.ServiceRequest; index: number } | undefined;
  let update: { task: fhir4.Task; index: number; id: string } | undefined;
  for (const [index, entry] of entries.entries()) {
    const path = `Bundle.entry[${index}]`;
    const resource = entry.resource as fhir4.FhirResource | undefined;
    const method = entry.request?.method;
    if (resource?.resourceType === 'Patient') {
      if (entry.fullUrl) patients.set(entry.fullUrl, resource);
    } else if (resource?.resourceType === 'ServiceRequest' && method === 'POST' && !request) {
      request = { sr: resource, index };
    } else if (resource?.resourceType === 'Task' && method === 'POST') {
      if (resource.status !== 'requested')
        return issue('invalid', `${path}.resource.status`, 'the Task of a new referral is requested');
    } else if (resource?.resourceType === 'Task' && method === 'PUT' && !update) {
      const id = /^Task\/([^/?]+)$/.exec(entry.request?.url ?? '')?.[1];
      if (!id) return issue('invalid', `${path}.request.url`, 'a Task update is PUT Task/{referral id}');
      update = { task: resource, index, id };
    } else {
      const what = `${method ?? 'no request'} ${resource?.resourceType ?? 'no resource'}`;
      return issue(
        'not-supported',
        path,
        `${what}: a referral transaction holds one ServiceRequest or one Task update`,
      );
    }
  }
  if (request && update)
    return issue(
      'not-supported',
      `Bundle.entry[${update.index}]`,
      'a new referral and a Task update in one transaction',
    );
  if (update) return readTaskUpdate(update.task, update.id, `Bundle.entry[${update.index}].resource`);
  if (!request) return issue('required', 'Bundle.entry', 'no ServiceRequest (POST) and no Task update (PUT)');
  const entryTypes = entries.map((e) => ({ resourceType: e.resource?.resourceType ?? 'unknown' }));
  return readServiceRequest(request.sr, `Bundle.entry[${request.index}].resource`, patients, entryTypes);
}
