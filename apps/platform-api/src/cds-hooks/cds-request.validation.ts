/**
 * Checks a hook request and a feedback request against CDS Hooks 2.0 (the request's fields;
 * the order-select / order-sign contexts of the CDS Hooks Library; feedback) and answers the
 * first fault as a 400 naming the attribute, e.g. `context.selections[1]`. Patient keys and
 * other values are never echoed back.
 */
import type { fhir4 } from '@yilian/contracts';
import { FhirHttpError } from '@yilian/runtime';
import type {
  CdsCoding,
  CdsFeedback,
  CdsFeedbackRequest,
  CdsHookRequest,
  CdsServiceDescription,
  FhirAuthorization,
  OrderContext,
} from './cds-hooks.types';

/** The hub's opaque patient key (platform-api's Patient.id). */
import { PATIENT_KEY } from '../fhir/search/fhir-search';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const USER = /^(Practitioner|PractitionerRole)\/[A-Za-z0-9\-.]{1,64}$/;
const REFERENCE = /^[A-Z][A-Za-z]{1,63}\/[A-Za-z0-9\-.]{1,64}$/;
/** RFC 3339 §5.6 date-time. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const MAX_DRAFT_ORDERS = 200;
const MAX_FEEDBACK = 100;

type Json = Record<string, unknown>;

function bad(
  path: string,
  reason: string,
  code: 'required' | 'value' | 'structure' | 'invalid' = 'value',
): never {
  throw FhirHttpError.of(400, code, `${path}: ${reason}`, path);
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function objectAt(v: unknown, path: string): Json {
  if (v === undefined) bad(path, 'required', 'required');
  if (!isObject(v)) bad(path, 'expected a JSON object', 'structure');
  return v;
}

function stringAt(v: unknown, path: string, pattern?: RegExp, what?: string): string {
  if (v === undefined) bad(path, 'required', 'required');
  if (typeof v !== 'string' || v.length === 0) bad(path, 'expected a non-empty string');
  if (pattern && !pattern.test(v)) bad(path, `expected ${what ?? 'another format'}`);
  return v;
}

function optionalString(v: unknown, path: string, pattern?: RegExp, what?: string): string | undefined {
  return v === undefined ? undefined : stringAt(v, path, pattern, what);
}

function absoluteUrl(v: unknown, path: string): string {
  const s = stringAt(v, path);
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    bad(path, 'expected an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') bad(path, 'expected an http(s) URL');
  return s;
}

function fhirAuthorizationOf(v: unknown): FhirAuthorization {
  const o = objectAt(v, 'fhirAuthorization');
  const tokenType = stringAt(o['token_type'], 'fhirAuthorization.token_type');
  if (tokenType !== 'Bearer') bad('fhirAuthorization.token_type', 'fixed value Bearer');
  const expires = o['expires_in'];
  if (!Number.isInteger(expires) || (expires as number) < 0)
    bad('fhirAuthorization.expires_in', 'expected a non-negative integer');
  const patient = optionalString(o['patient'], 'fhirAuthorization.patient');
  return {
    access_token: stringAt(o['access_token'], 'fhirAuthorization.access_token'),
    token_type: 'Bearer',
    expires_in: expires as number,
    scope: stringAt(o['scope'], 'fhirAuthorization.scope'),
    subject: stringAt(o['subject'], 'fhirAuthorization.subject'),
    ...(patient !== undefined ? { patient } : {}),
  };
}

function draftOrdersOf(v: unknown, patientId: string): fhir4.Bundle {
  const path = 'context.draftOrders';
  const bundle = objectAt(v, path);
  if (bundle['resourceType'] !== 'Bundle') bad(`${path}.resourceType`, 'expected a FHIR Bundle');
  const entries = bundle['entry'];
  if (entries === undefined) return bundle as unknown as fhir4.Bundle;
  if (!Array.isArray(entries)) bad(`${path}.entry`, 'expected an array', 'structure');
  if (entries.length > MAX_DRAFT_ORDERS) bad(`${path}.entry`, `at most ${MAX_DRAFT_ORDERS} draft orders`);
  entries.forEach((entry: unknown, i) => {
    const at = `${path}.entry[${i}]`;
    const resource = objectAt(objectAt(entry, at)['resource'], `${at}.resource`);
    const type = stringAt(
      resource['resourceType'],
      `${at}.resource.resourceType`,
      /^[A-Z][A-Za-z]{1,63}$/,
      'a FHIR resource type',
    );
    if (type !== 'ServiceRequest') return; // medication, nutrition … orders: not this service's concern
    stringAt(
      resource['id'],
      `${at}.resource.id`,
      FHIR_ID,
      'a FHIR id (the card suggests deleting the order by it)',
    );
    if (resource['code'] !== undefined) {
      const code = objectAt(resource['code'], `${at}.resource.code`);
      if (code['coding'] !== undefined && !Array.isArray(code['coding']))
        bad(`${at}.resource.code.coding`, 'expected an array', 'structure');
      (Array.isArray(code['coding']) ? code['coding'] : []).forEach((c: unknown, j) => {
        const coding = objectAt(c, `${at}.resource.code.coding[${j}]`);
        optionalString(coding['system'], `${at}.resource.code.coding[${j}].system`);
        optionalString(coding['code'], `${at}.resource.code.coding[${j}].code`);
      });
    }
    const subject = resource['subject'];
    if (subject !== undefined) {
      const reference = objectAt(subject, `${at}.resource.subject`)['reference'];
      if (reference !== undefined && reference !== `Patient/${patientId}`)
        bad(`${at}.resource.subject.reference`, 'names another patient than context.patientId', 'invalid');
    }
  });
  return bundle as unknown as fhir4.Bundle;
}

function contextOf(v: unknown, service: CdsServiceDescription): OrderContext {
  const c = objectAt(v, 'context');
  const userId = stringAt(c['userId'], 'context.userId', USER, 'Practitioner/<id> or PractitionerRole/<id>');
  const patientId = stringAt(
    c['patientId'],
    'context.patientId',
    PATIENT_KEY,
    'the hub patient key (Patient.id)',
  );
  const encounterId = optionalString(c['encounterId'], 'context.encounterId', FHIR_ID, 'a FHIR id');
  const draftOrders = draftOrdersOf(c['draftOrders'], patientId);
  let selections: string[] | undefined;
  if (service.hook === 'order-select') {
    const raw = c['selections'];
    if (raw === undefined) bad('context.selections', 'required for order-select', 'required');
    if (!Array.isArray(raw) || raw.length === 0) bad('context.selections', 'expected a non-empty array');
    const drafts = new Set(
      (draftOrders.entry ?? []).map((e) => `${e.resource?.resourceType ?? ''}/${e.resource?.id ?? ''}`),
    );
    selections = raw.map((s: unknown, i) => {
      const ref = stringAt(s, `context.selections[${i}]`, REFERENCE, '<ResourceType>/<id>');
      if (!drafts.has(ref))
        bad(`context.selections[${i}]`, 'names no resource of context.draftOrders', 'invalid');
      return ref;
    });
  }
  return {
    userId,
    patientId,
    ...(encounterId !== undefined ? { encounterId } : {}),
    ...(selections ? { selections } : {}),
    draftOrders,
  };
}

/** A CDS Hooks 2.0 request to `service`, or a 400 naming the first wrong attribute. */
export function hookRequestOf(body: unknown, service: CdsServiceDescription): CdsHookRequest {
  const b = objectAt(body, 'request');
  const hook = stringAt(b['hook'], 'hook');
  if (hook !== service.hook)
    bad('hook', `service ${service.id} answers the ${service.hook} hook, not this one`);
  const hookInstance = stringAt(b['hookInstance'], 'hookInstance', UUID, 'a UUID');
  const fhirAuthorization =
    b['fhirAuthorization'] === undefined ? undefined : fhirAuthorizationOf(b['fhirAuthorization']);
  if (fhirAuthorization && b['fhirServer'] === undefined)
    bad('fhirServer', 'required when fhirAuthorization is given', 'required');
  const fhirServer = b['fhirServer'] === undefined ? undefined : absoluteUrl(b['fhirServer'], 'fhirServer');
  const context = contextOf(b['context'], service);
  let prefetch: Record<string, unknown> | undefined;
  if (b['prefetch'] !== undefined) {
    prefetch = objectAt(b['prefetch'], 'prefetch');
    for (const [key, value] of Object.entries(prefetch))
      if (value !== null && !isObject(value))
        bad(`prefetch.${key.slice(0, 40)}`, 'expected a FHIR resource or null', 'structure');
    const patient = prefetch['patient'];
    if (isObject(patient) && patient['resourceType'] === 'Patient' && patient['id'] !== context.patientId)
      bad('prefetch.patient', 'is another patient than context.patientId', 'invalid');
  }
  return {
    hook: service.hook,
    hookInstance,
    ...(fhirServer !== undefined ? { fhirServer } : {}),
    ...(fhirAuthorization ? { fhirAuthorization } : {}),
    context,
    ...(prefetch ? { prefetch } : {}),
  };
}

function codingOf(v: unknown, path: string): CdsCoding {
  const o = objectAt(v, path);
  const system = optionalString(o['system'], `${path}.system`);
  const display = optionalString(o['display'], `${path}.display`);
  return {
    ...(system !== undefined ? { system } : {}),
    code: stringAt(o['code'], `${path}.code`),
    ...(display !== undefined ? { display } : {}),
  };
}

function feedbackOf(v: unknown, i: number): CdsFeedback {
  const at = `feedback[${i}]`;
  const f = objectAt(v, at);
  const card = stringAt(f['card'], `${at}.card`, /^.{1,128}$/, "the card's uuid");
  const outcome = stringAt(f['outcome'], `${at}.outcome`);
  if (outcome !== 'accepted' && outcome !== 'overridden')
    bad(`${at}.outcome`, 'expected accepted or overridden');
  const outcomeTimestamp = stringAt(
    f['outcomeTimestamp'],
    `${at}.outcomeTimestamp`,
    DATE_TIME,
    'an RFC 3339 date-time such as 2026-12-01T02:05:31Z',
  );
  if (Number.isNaN(Date.parse(outcomeTimestamp))) bad(`${at}.outcomeTimestamp`, 'not a real date-time');
  let acceptedSuggestions: { id: string }[] | undefined;
  if (outcome === 'accepted') {
    const raw = f['acceptedSuggestions'];
    if (raw === undefined) bad(`${at}.acceptedSuggestions`, 'required for an accepted outcome', 'required');
    if (!Array.isArray(raw) || raw.length === 0)
      bad(`${at}.acceptedSuggestions`, 'expected a non-empty array');
    acceptedSuggestions = raw.map((s: unknown, j) => ({
      id: stringAt(
        objectAt(s, `${at}.acceptedSuggestions[${j}]`)['id'],
        `${at}.acceptedSuggestions[${j}].id`,
      ),
    }));
  } else if (f['acceptedSuggestions'] !== undefined)
    bad(`${at}.acceptedSuggestions`, 'only for an accepted outcome', 'invalid');
  let overrideReason: CdsFeedback['overrideReason'];
  if (f['overrideReason'] !== undefined) {
    if (outcome !== 'overridden') bad(`${at}.overrideReason`, 'only for an overridden outcome', 'invalid');
    const o = objectAt(f['overrideReason'], `${at}.overrideReason`);
    const reason =
      o['reason'] === undefined ? undefined : codingOf(o['reason'], `${at}.overrideReason.reason`);
    const userComment = optionalString(o['userComment'], `${at}.overrideReason.userComment`);
    if (!reason && userComment === undefined) bad(`${at}.overrideReason`, 'expected reason or userComment');
    overrideReason = { ...(reason ? { reason } : {}), ...(userComment !== undefined ? { userComment } : {}) };
  }
  return {
    card,
    outcome,
    ...(acceptedSuggestions ? { acceptedSuggestions } : {}),
    ...(overrideReason ? { overrideReason } : {}),
    outcomeTimestamp,
  };
}

/** A CDS Hooks 2.0 feedback request, or a 400 naming the first wrong attribute. */
export function feedbackRequestOf(body: unknown): CdsFeedbackRequest {
  const b = objectAt(body, 'request');
  const raw = b['feedback'];
  if (raw === undefined) bad('feedback', 'required', 'required');
  if (!Array.isArray(raw) || raw.length === 0) bad('feedback', 'expected a non-empty array');
  if (raw.length > MAX_FEEDBACK) bad('feedback', `at most ${MAX_FEEDBACK} entries`);
  return { feedback: raw.map((f: unknown, i) => feedbackOf(f, i)) };
}
