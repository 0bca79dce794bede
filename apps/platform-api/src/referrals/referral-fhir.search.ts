import { FhirHttpError } from '@yilian/runtime';

export type ReferralResourceType = 'ServiceRequest' | 'Task';

export interface ReferralSearch {
  readonly where: string[];
  readonly params: unknown[];
  readonly patientKey?: string;
  readonly count: number;
  readonly offset: number;
}

const PATIENT_KEY = /^pk_[a-z2-7]{26}$/;
const CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** Search parameters → SQL conditions on rm_referral_fhir. The patient is the hub's key
 * (`Patient/pk_…`); institutions are codes (`Organization/H001` or `H001`). */
const PARAMETERS: Readonly<Record<ReferralResourceType, Readonly<Record<string, string>>>> = {
  ServiceRequest: {
    patient: 'patient_key',
    subject: 'patient_key',
    requester: 'requester',
    performer: 'performer',
    status: 'sr_status',
    _id: 'referral_id',
  },
  Task: {
    patient: 'patient_key',
    subject: 'patient_key',
    for: 'patient_key',
    requester: 'requester',
    owner: 'performer',
    status: 'task_status',
    'business-status': 'business_status',
    focus: 'referral_id',
    _id: 'referral_id',
  },
};

export function parseReferralSearch(
  type: ReferralResourceType,
  query: Record<string, unknown>,
): ReferralSearch {
  const where: string[] = [];
  const params: unknown[] = [];
  let patientKey: string | undefined;
  for (const [name, raw] of Object.entries(query)) {
    if (name === '_count' || name === '_offset' || name === '_format') continue;
    const column = PARAMETERS[type][name];
    if (!column)
      throw FhirHttpError.of(
        400,
        'not-supported',
        `search parameter "${name}" is not supported on ${type}`,
        name,
      );
    if (typeof raw !== 'string')
      throw FhirHttpError.of(400, 'invalid', `search parameter "${name}" given more than once`, name);
    const values = raw.split(',').map((v) => valueOf(column, v.trim(), name));
    if (column === 'patient_key' && values.length === 1) patientKey = values[0];
    params.push(values);
    where.push(`${column} = ANY($${params.length}::text[])`);
  }
  const count = intParam(query['_count'], 50, 1, 500, '_count');
  const offset = intParam(query['_offset'], 0, 0, 1_000_000, '_offset');
  return { where, params, count, offset, ...(patientKey ? { patientKey } : {}) };
}

function valueOf(column: string, value: string, name: string): string {
  const bare = value.replace(/^(Patient|Organization|ServiceRequest)\//, '');
  const ok =
    column === 'patient_key'
      ? PATIENT_KEY.test(bare)
      : column === 'requester' || column === 'performer'
        ? CODE.test(bare)
        : FHIR_ID.test(bare);
  if (!ok) {
    const hint = column === 'patient_key' ? ' (Patient/<hub patient key>)' : '';
    throw FhirHttpError.of(
      400,
      'invalid',
      `search parameter "${name}": ${value.slice(0, 70)} is not valid${hint}`,
      name,
    );
  }
  return bare;
}

function intParam(raw: unknown, fallback: number, min: number, max: number, name: string): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(n) || n < min || n > max)
    throw FhirHttpError.of(400, 'invalid', `${name} must be an integer between ${min} and ${max}`, name);
  return n;
}
