import type { fhir4 } from '@yilian/contracts';

/** One row of pa_access_log. */
export interface AccessRow {
  readonly serial: string;
  readonly at: Date;
  readonly actor: string;
  readonly purpose: string | null;
  readonly patient_key: string | null;
  readonly interaction: string;
  readonly resource_type: string;
  readonly returned: number;
  readonly client_role: string | null;
  readonly client_institution: string | null;
  readonly resources: string[];
  readonly outcome: string;
}

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const SUBTYPE: Readonly<Record<string, string>> = {
  search: 'search-type',
  read: 'read',
  history: 'history-instance',
  everything: 'operation',
  export: 'operation',
  recognisable: 'operation',
};
export const READ_CLIENT_SYSTEM = 'urn:yilian:read-client';
export const INSTITUTION_SYSTEM = 'urn:yilian:institution';

/**
 * An access record as a FHIR R4 AuditEvent shaped after IHE Basic Audit Log Patterns (BALP):
 * type `rest` with the RESTful interaction as subtype; agents the client (requestor, with its
 * role), its institution, and the hub (the server); the patient as entity by its pseudonymous hub
 * key — never an ID number — and each resource read; outcome 0 (served) or 4 (refused).
 */
export function toAuditEvent(r: AccessRow): fhir4.AuditEvent {
  const entity: fhir4.AuditEventEntity[] = [];
  if (r.patient_key) {
    entity.push({
      what: { reference: `Patient/${r.patient_key}` },
      type: {
        system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
        code: '1',
        display: 'Person',
      },
      role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' },
    });
  }
  for (const ref of r.resources) {
    entity.push({
      what: { reference: ref },
      type: {
        system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
        code: '2',
        display: 'System Object',
      },
      role: {
        system: 'http://terminology.hl7.org/CodeSystem/object-role',
        code: '4',
        display: 'Domain Resource',
      },
    });
  }
  if (r.resources.length === 0) {
    entity.push({
      type: {
        system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
        code: '2',
        display: 'System Object',
      },
      description: `${r.interaction} ${r.resource_type}: ${r.returned} returned`,
    });
  }
  const subtype = SUBTYPE[r.interaction] ?? 'read';
  return {
    resourceType: 'AuditEvent',
    id: `ae-${r.serial}`,
    type: {
      system: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
      code: 'rest',
      display: 'RESTful Operation',
    },
    subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: subtype }],
    action: subtype === 'read' || subtype === 'history-instance' ? 'R' : 'E',
    recorded: r.at.toISOString(),
    outcome: r.outcome === 'refused' ? '4' : '0',
    ...(r.outcome === 'refused'
      ? { outcomeDesc: 'refused: the client may not read this patient’s data' }
      : {}),
    ...(r.purpose
      ? {
          purposeOfEvent: [
            { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: r.purpose }] },
          ],
        }
      : {}),
    agent: [
      {
        type: { coding: [{ system: DCM, code: '110153', display: 'Source Role ID' }] },
        who: { identifier: { system: READ_CLIENT_SYSTEM, value: r.actor }, display: r.actor },
        ...(r.client_role ? { role: [{ text: r.client_role }] } : {}),
        requestor: true,
      },
      ...(r.client_institution
        ? [
            {
              who: {
                reference: `Organization/${r.client_institution}`,
                identifier: { system: INSTITUTION_SYSTEM, value: r.client_institution },
              },
              requestor: false,
            },
          ]
        : []),
      {
        type: { coding: [{ system: DCM, code: '110152', display: 'Destination Role ID' }] },
        who: { display: 'Yilian hub platform-api' },
        requestor: false,
      },
    ],
    source: {
      observer: { display: 'Yilian hub platform-api' },
      type: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/security-source-type',
          code: '4',
          display: 'Application Server',
        },
      ],
    },
    entity,
  };
}
