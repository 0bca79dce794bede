/** The hub as the referral e2e tests drive it: H001 (tertiary), C002 (community centre) and
 * X003 (outside their alliance) with their own keys, an alliance operator, and a clock the
 * tests move forward so the expiry scheduler fires. */
import { hashApiKey, InstitutionDirectory } from '@yilian/config';
import type { fhir4 } from '@yilian/contracts';
import { PatientKeyer } from '@yilian/patients';
import { REFERRAL_FHIR } from '@yilian/referrals';
import { createLogger } from '@yilian/runtime';
import { createTestDatabase } from '@yilian/testing';
import { type HubOptions, type RunningHub, startHub } from '../../apps/hub/src/hub';
import { KEYS, PATIENT_KEY_SECRET } from './hub-harness';

export { KEYS, PATIENT_KEY_SECRET, eventually, platformClient } from './hub-harness';

export const OPERATOR_KEY = 'key-operator-0123456789abcdef';
export const ALLIANCE = 'HZ-XH-UG1';
export const keyer = new PatientKeyer(PATIENT_KEY_SECRET);

export interface ReferralsHub extends RunningHub {
  readonly databaseUrl: string;
  /** Moves the expiry scheduler's clock forward. */
  advanceClock(hours: number): void;
}

export async function startReferralsHub(
  label: string,
  databaseUrl?: string,
  extra: Partial<HubOptions> = {},
): Promise<ReferralsHub> {
  process.env['YILIAN_ALLIANCE_OPERATORS'] = `health-commission:${hashApiKey(OPERATOR_KEY)}`;
  const url = databaseUrl ?? (await createTestDatabase(label));
  let offsetMs = 0;
  const hub = await startHub({
    databaseUrl: url,
    institutions: new InstitutionDirectory([
      { code: 'H001', name: '第一人民医院', apiKeySha256: hashApiKey(KEYS.H001), mllpPort: 1 },
      { code: 'C002', name: '社区卫生服务中心', apiKeySha256: hashApiKey(KEYS.C002), mllpPort: 2 },
      { code: 'X003', name: '外区第三医院', apiKeySha256: hashApiKey(KEYS.X003), mllpPort: 3 },
    ]),
    patientKeyer: keyer,
    platformClients: `regional-platform:${hashApiKey(KEYS.platform)},audit-office:${hashApiKey(KEYS.auditor)}:auditor`,
    httpPort: 0,
    host: '127.0.0.1',
    logger: createLogger('referrals-test', 'silent'),
    mllp: { ephemeralPorts: true, idleTimeoutMs: 5_000 },
    referralExpiry: { clock: () => new Date(Date.now() + offsetMs), intervalMs: 100 },
    ...extra,
  });
  return { ...hub, databaseUrl: url, advanceClock: (hours) => (offsetMs += hours * 3_600_000) };
}

export interface Answer<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

/** A JSON or FHIR call with an API key. */
export async function call<T = Record<string, unknown>>(
  hub: RunningHub,
  method: string,
  path: string,
  key: string,
  body?: unknown,
): Promise<Answer<T>> {
  const fhir = path.startsWith('/fhir');
  const res = await fetch(`${hub.httpUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body !== undefined ? { 'content-type': fhir ? 'application/fhir+json' : 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T, headers: res.headers };
}

/** The alliance of the tests: H001 leads (tertiary), C002 is a community centre; X003 is not in it. */
export async function setUpAlliance(hub: RunningHub, referralResponseHours = 48): Promise<void> {
  const post = (path: string, body: unknown) => call(hub, 'POST', path, OPERATOR_KEY, body);
  const registered = await post('/alliances', {
    allianceId: ALLIANCE,
    name: '杭州市西湖区紧密型城市医疗集团',
    form: 'urban-group',
    referralResponseHours,
  });
  const lead = await post(`/alliances/${ALLIANCE}/members`, {
    institution: 'H001',
    name: '第一人民医院',
    level: 'tertiary',
    role: 'lead',
  });
  const member = await post(`/alliances/${ALLIANCE}/members`, {
    institution: 'C002',
    name: '社区卫生服务中心',
    level: 'primary',
    role: 'member',
  });
  for (const answer of [registered, lead, member])
    if (answer.status >= 300) throw new Error(`alliance set-up failed: ${JSON.stringify(answer.body)}`);
}

const org = (code: string): fhir4.Reference => ({
  type: 'Organization',
  identifier: { system: REFERRAL_FHIR.institutionSystem, value: code },
});

export function serviceRequest(opts: {
  number: string;
  sender: string;
  receiver: string;
  subject: fhir4.Reference;
  priority?: fhir4.ServiceRequest['priority'];
  supportingInfo?: fhir4.Reference[];
  reason?: string;
}): fhir4.ServiceRequest {
  return {
    resourceType: 'ServiceRequest',
    identifier: [{ system: `urn:yilian:institution:${opts.sender}:referral`, value: opts.number }],
    status: 'active',
    intent: 'order',
    category: [
      { coding: [{ system: 'http://snomed.info/sct', code: '3457005', display: 'Patient referral' }] },
    ],
    priority: opts.priority ?? 'urgent',
    subject: opts.subject,
    authoredOn: '2026-03-02T09:00:00+08:00',
    requester: org(opts.sender),
    performer: [org(opts.receiver)],
    performerType: { text: '心内科' },
    reasonCode: [
      {
        coding: [
          {
            system: 'http://hl7.org/fhir/sid/icd-10',
            code: 'I20.0',
            display: opts.reason ?? '不稳定型心绞痛',
          },
        ],
      },
    ],
    ...(opts.supportingInfo ? { supportingInfo: opts.supportingInfo } : {}),
  };
}

/** A transaction Bundle: the Patient (resident ID number), the ServiceRequest and its Task. */
export function referralBundle(sr: fhir4.ServiceRequest, patient: fhir4.Patient): fhir4.Bundle {
  const patientUrl = 'urn:uuid:6f1e7c1a-0d1c-4f64-9a44-0d8a5b3c2e01';
  const requestUrl = 'urn:uuid:6f1e7c1a-0d1c-4f64-9a44-0d8a5b3c2e02';
  const request: fhir4.ServiceRequest = { ...sr, subject: { reference: patientUrl } };
  const newTask: fhir4.Task = {
    resourceType: 'Task',
    status: 'requested',
    intent: 'order',
    focus: { reference: requestUrl },
  };
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { fullUrl: patientUrl, resource: patient, request: { method: 'POST', url: 'Patient' } },
      { fullUrl: requestUrl, resource: request, request: { method: 'POST', url: 'ServiceRequest' } },
      { resource: newTask, request: { method: 'POST', url: 'Task' } },
    ],
  };
}

/** A Task update the receiver sends: status, businessStatus and outputs of the step. */
export function task(
  referralId: string,
  status: fhir4.Task['status'],
  extra: Partial<fhir4.Task> = {},
  business?: string,
): fhir4.Task {
  return {
    resourceType: 'Task',
    id: referralId,
    status,
    intent: 'order',
    focus: { reference: `ServiceRequest/${referralId}` },
    ...(business
      ? { businessStatus: { coding: [{ system: REFERRAL_FHIR.statusSystem, code: business }] } }
      : {}),
    ...extra,
  };
}

export function taskOutput(code: string, value: Omit<fhir4.TaskOutput, 'type'>): fhir4.TaskOutput {
  return { type: { coding: [{ system: REFERRAL_FHIR.taskParameterSystem, code }] }, ...value };
}

export function patientWithResidentId(residentId: string): fhir4.Patient {
  return {
    resourceType: 'Patient',
    identifier: [{ system: 'urn:oid:2.16.156.10011.1.3', value: residentId }],
    name: [{ text: '王小明' }],
  };
}
