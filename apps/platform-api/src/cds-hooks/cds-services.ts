import type { CdsDiscovery, CdsHook, CdsServiceDescription } from './cds-hooks.types';

const USAGE =
  "Call with an institution key of the hub (Authorization: Bearer <key>): the requesting institution is the key's, never the body's. " +
  'context.patientId is the hub patient key (POST /fhir/Patient/_search). Draft lab and imaging orders are ServiceRequests with an id; ' +
  'their code (LOINC, a catalogue local code or an imaging procedure code; DICOM modality codings and bodySite for imaging) is matched to the recognition catalogue.';

/** The duplicate-test alert (检查检验结果互认, WS/T 790.18 reminders) on the two ordering hooks.
 * No prefetch: the answer comes from the hub's own results, never from the EHR's FHIR server, so
 * asking the CDS client to prefetch (or to send fhirServer / fhirAuthorization) would be work for
 * nothing — and a missing prefetch is never a 412. A prefetch the client sends anyway is checked
 * (shape, the same patient) and otherwise not read. */
export const CDS_SERVICES: readonly CdsServiceDescription[] = [
  {
    hook: 'order-select',
    id: 'recognition-duplicate-test-select',
    title: '检查检验结果互认：重复检查检验提醒（选择医嘱时）',
    description:
      'When a selected lab or imaging order names a catalogue item the patient already has a recognisable result for (valid, in a shared recognition catalogue, quality passed, direction allowed), one card per item: the result, where and when it was done, the scope mark, valid until when, a link to it and a suggestion to remove the order; declining it names a reason of the decline-reason ValueSet.',
    usageRequirements: USAGE,
  },
  {
    hook: 'order-sign',
    id: 'recognition-duplicate-test-sign',
    title: '检查检验结果互认：重复检查检验提醒（签署医嘱时）',
    description: 'As at order-select, for every draft lab or imaging order about to be signed.',
    usageRequirements: USAGE,
  },
];

export const CDS_DISCOVERY: CdsDiscovery = { services: CDS_SERVICES };

export function cdsService(id: string): CdsServiceDescription | undefined {
  return CDS_SERVICES.find((s) => s.id === id);
}

export const CDS_HOOKS: readonly CdsHook[] = ['order-select', 'order-sign'];
