/** How each searchable resource type is stored in its read model, and which FHIR search
 * parameters it answers (the CapabilityStatement is built from this). */
export interface SearchTable {
  readonly type: SearchableType;
  readonly from: string;
  readonly resource: string;
  readonly id: string;
  readonly patient: string;
  /** The column ordered on (newest first), with `id` as the tie-break: the keyset of paging. */
  readonly sort: string;
  readonly lastUpdated: string;
  /** Search parameter → how it is answered. */
  readonly params: Readonly<Record<string, ParamSpec>>;
  /** `_include` values served, → the type and the element holding the references. */
  readonly includes?: Readonly<Record<string, { type: SearchableType; element: string }>>;
}

export type SearchableType = 'DiagnosticReport' | 'Observation' | 'ImagingStudy' | 'ServiceRequest' | 'Task';

export type ParamSpec =
  | { readonly kind: 'patient'; readonly doc?: string }
  | { readonly kind: 'id' }
  | { readonly kind: 'date'; readonly column: string; readonly doc?: string }
  | { readonly kind: 'text-column'; readonly column: string; readonly ref?: string }
  | { readonly kind: 'tokens-column'; readonly column: string; readonly upper?: boolean }
  | { readonly kind: 'concept'; readonly element: string; readonly many: boolean }
  | { readonly kind: 'identifier' };

const PATIENT: ParamSpec = {
  kind: 'patient',
  // markdown in the CapabilityStatement: no `<…>`, which reads as an HTML tag
  doc: 'Patient/{hub patient key} (POST /fhir/Patient/_search finds it)',
};
const COMMON = (lastUpdated: string) => ({
  patient: PATIENT,
  subject: PATIENT,
  _id: { kind: 'id' } as ParamSpec,
  _lastUpdated: { kind: 'date', column: lastUpdated } as ParamSpec,
  identifier: { kind: 'identifier' } as ParamSpec,
});

const REPORT_SORT = "COALESCE(issued, '-infinity'::timestamptz)";
const OBS_SORT = "COALESCE(effective, '-infinity'::timestamptz)";
const STUDY_SORT = "COALESCE(started, '-infinity'::timestamptz)";

/** ServiceRequests are referrals' (rm_referral_fhir) and orders' (rm_orders, from HL7 v2
 * ORM / OML / OMG / OMI): one searchable set under the referrals' column names. An order's
 * requester is its placer; it names no performer institution. The ids cannot collide (a
 * referral's is `<sender>.<number>` or `ref-<hash>`, an order's a UUID). */
const SERVICE_REQUESTS = /* sql */ `(SELECT referral_id, patient_key, requester, performer, sr_status,
    authored_on, service_request, last_updated FROM rm_referral_fhir
  UNION ALL SELECT id, patient_key, placer, NULL, status, authored_on, resource, last_updated FROM rm_orders
  ) AS service_requests`;

export const SEARCH_TABLES: Readonly<Record<SearchableType, SearchTable>> = {
  DiagnosticReport: {
    type: 'DiagnosticReport',
    from: 'rm_lab_reports',
    resource: 'resource',
    id: 'id',
    patient: 'patient_key',
    sort: REPORT_SORT,
    lastUpdated: 'last_updated',
    params: {
      ...COMMON('last_updated'),
      code: { kind: 'tokens-column', column: 'code_tokens' },
      category: { kind: 'concept', element: 'category', many: true },
      status: { kind: 'text-column', column: 'status' },
      date: { kind: 'date', column: 'issued', doc: 'the report’s issued time' },
      issued: { kind: 'date', column: 'issued' },
      performer: { kind: 'text-column', column: 'performer', ref: 'Organization' },
    },
    includes: {
      'DiagnosticReport:result': { type: 'Observation', element: 'result' },
      'DiagnosticReport:imagingStudy': { type: 'ImagingStudy', element: 'imagingStudy' },
    },
  },
  Observation: {
    type: 'Observation',
    from: 'rm_observations',
    resource: 'resource',
    id: 'id',
    patient: 'patient_key',
    sort: OBS_SORT,
    lastUpdated: 'last_updated',
    params: {
      ...COMMON('last_updated'),
      code: { kind: 'tokens-column', column: 'code_tokens' },
      category: { kind: 'concept', element: 'category', many: true },
      status: { kind: 'text-column', column: 'status' },
      date: { kind: 'date', column: 'effective' },
    },
  },
  ImagingStudy: {
    type: 'ImagingStudy',
    from: 'rm_imaging_studies',
    resource: 'resource',
    id: 'id',
    patient: 'patient_key',
    sort: STUDY_SORT,
    lastUpdated: 'last_updated',
    params: {
      ...COMMON('last_updated'),
      modality: { kind: 'tokens-column', column: 'modalities', upper: true },
      status: { kind: 'text-column', column: 'status' },
      started: { kind: 'date', column: 'started' },
    },
  },
  ServiceRequest: {
    type: 'ServiceRequest',
    from: SERVICE_REQUESTS,
    resource: 'service_request',
    id: 'referral_id',
    patient: 'patient_key',
    sort: 'authored_on',
    lastUpdated: 'last_updated',
    params: {
      ...COMMON('last_updated'),
      identifier: { kind: 'identifier' },
      code: { kind: 'concept', element: 'code', many: false },
      category: { kind: 'concept', element: 'category', many: true },
      status: { kind: 'text-column', column: 'sr_status' },
      authored: { kind: 'date', column: 'authored_on' },
      requester: { kind: 'text-column', column: 'requester', ref: 'Organization' },
      performer: { kind: 'text-column', column: 'performer', ref: 'Organization' },
    },
  },
  Task: {
    type: 'Task',
    from: 'rm_referral_fhir',
    resource: 'task',
    id: 'referral_id',
    patient: 'patient_key',
    sort: 'authored_on',
    lastUpdated: 'last_updated',
    params: {
      ...COMMON('last_updated'),
      for: PATIENT,
      code: { kind: 'concept', element: 'code', many: false },
      status: { kind: 'text-column', column: 'task_status' },
      'business-status': { kind: 'text-column', column: 'business_status' },
      'authored-on': { kind: 'date', column: 'authored_on' },
      requester: { kind: 'text-column', column: 'requester', ref: 'Organization' },
      owner: { kind: 'text-column', column: 'performer', ref: 'Organization' },
      focus: { kind: 'text-column', column: 'referral_id', ref: 'ServiceRequest' },
    },
  },
};

/** Parameters every search takes beside the type's own (result parameters). */
export const CONTROL_PARAMS = ['_count', '_cursor', '_include', '_format', '_summary', '_total'] as const;
