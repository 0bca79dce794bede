import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { fhir4 } from '@yilian/contracts';
import { fhirBaseUrl, FhirHttpError } from '@yilian/runtime';
import { ReadGate } from '../access/read-gate';
import { searchsetBundle } from '../fhir/bundle';
import type { ReadClient } from '../platform-auth';
import { asOfInstant } from './as-of-instant';
import type { IdentityAsOf } from './identity-as-of';
import { AsOfService, newest, type PatientAsOf } from './as-of.service';

import { PATIENT_KEY } from '../fhir/search/fhir-search';

/** The types a search answers as of an instant (`_at`). */
export const AS_OF_TYPES = [
  'DiagnosticReport',
  'Observation',
  'ImagingStudy',
  'ServiceRequest',
  'Task',
] as const;
export type AsOfType = (typeof AS_OF_TYPES)[number];
const PATIENT_PARAMS: Readonly<Record<AsOfType, readonly string[]>> = {
  DiagnosticReport: ['patient', 'subject'],
  Observation: ['patient', 'subject'],
  ImagingStudy: ['patient', 'subject'],
  ServiceRequest: ['patient', 'subject'],
  Task: ['patient', 'subject', 'for'],
};

/** True when the query asks as of an instant: the search / `$everything` answers through here. */
export function asksAsOf(query: Record<string, unknown>): boolean {
  return query['_at'] !== undefined;
}

/**
 * The auditors' as-of reads (docs/as-of.md): `GET /fhir/<Type>?patient=Patient/<key>&_at=<instant>`
 * and `GET /fhir/Patient/<key>/$everything?_at=<instant>` answer what the hub knew at the
 * instant, from the log. Only an auditor's key (403 otherwise, recorded); every answer recorded
 * in the access trail like any other read.
 */
@Injectable()
export class AsOfReads {
  constructor(
    @Inject(AsOfService) private readonly asOf: AsOfService,
    @Inject(ReadGate) private readonly gate: ReadGate,
  ) {}

  async search(req: Request, type: AsOfType, query: Record<string, unknown>): Promise<fhir4.Bundle> {
    const client = await this.auditor(req, type);
    const at = asOfInstant(query['_at']);
    let key: string | undefined;
    for (const [name, raw] of Object.entries(query)) {
      if (name === '_at' || name === '_format') continue;
      if (!PATIENT_PARAMS[type].includes(name))
        throw FhirHttpError.of(
          400,
          'not-supported',
          `with _at, ${type} is searched by patient only (${name} is not taken)`,
          name,
        );
      if (typeof raw !== 'string' || !PATIENT_KEY.test(raw.replace(/^Patient\//, '')) || key)
        throw FhirHttpError.of(
          400,
          'invalid',
          `${name} must be one hub patient reference (Patient/<patient key>)`,
          name,
        );
      key = raw.replace(/^Patient\//, '');
    }
    if (!key)
      throw FhirHttpError.of(400, 'required', `with _at, ${type} needs patient=Patient/<key>`, 'patient');
    const then = await this.asOf.patient(key, at);
    const resources = resourcesOf(then, [type]);
    await this.record(req, client, 'search', type, resources, key);
    const base = fhirBaseUrl(req);
    return searchsetBundle({
      baseUrl: base,
      selfUrl: `${base}/${type}?patient=Patient/${key}&_at=${encodeURIComponent(at)}`,
      total: resources.length,
      resources: resources.map((r) => r.resource),
    });
  }

  async everything(req: Request, id: string, query: Record<string, unknown>): Promise<fhir4.Bundle> {
    const client = await this.auditor(req, 'Patient');
    if (!PATIENT_KEY.test(id))
      throw FhirHttpError.of(400, 'invalid', 'the id must be a hub patient key', 'id');
    const at = asOfInstant(query['_at']);
    for (const name of Object.keys(query))
      if (name !== '_at' && name !== '_format')
        throw FhirHttpError.of(400, 'not-supported', `with _at, $everything takes no ${name}`, name);
    const then = await this.asOf.patient(id, at);
    const found = resourcesOf(then, AS_OF_TYPES);
    await this.record(req, client, 'everything', 'Patient', found, id);
    const base = fhirBaseUrl(req);
    const resources = [...patientsOf(then.identity), ...found.map((f) => f.resource)];
    return searchsetBundle({
      baseUrl: base,
      selfUrl: `${base}/Patient/${id}/$everything?_at=${encodeURIComponent(at)}`,
      total: resources.length,
      resources,
    });
  }

  /** An auditor's client, else 401/403 (a refusal recorded). */
  private async auditor(req: Request, resourceType: string): Promise<ReadClient> {
    const client = await this.gate.open(req, resourceType, null);
    if (client.role === 'auditor') return client;
    await this.gate.record(req, client, {
      interaction: 'search',
      resourceType,
      returned: 0,
      outcome: 'refused',
    });
    throw FhirHttpError.of(
      403,
      'forbidden',
      `as-of reads (_at) are for auditors; client ${client.name} is ${client.role}`,
      '_at',
    );
  }

  private record(
    req: Request,
    client: ReadClient,
    interaction: 'search' | 'everything',
    resourceType: string,
    found: readonly { resource: fhir4.Resource; patientKey: string }[],
    searched: string,
  ): Promise<void> {
    return this.gate.recordPerPatient(
      req,
      client,
      { interaction, resourceType },
      found.map((f) => ({ patientKey: f.patientKey, ref: `${f.resource.resourceType}/${f.resource.id}` })),
      searched,
    );
  }
}

function resourcesOf(
  then: PatientAsOf,
  types: readonly AsOfType[],
): { resource: fhir4.Resource; patientKey: string }[] {
  return types.flatMap((type): readonly { resource: fhir4.Resource; patientKey: string }[] => {
    switch (type) {
      case 'DiagnosticReport':
        // lab and imaging reports together, newest issued first, as the live search orders them
        return [...then.reports, ...then.imagingReports].sort((a, b) =>
          newest(a.resource.issued, b.resource.issued),
        );
      case 'ImagingStudy':
        return then.studies;
      case 'Observation':
        return then.reports.flatMap((r) =>
          r.observations.map((resource) => ({ resource, patientKey: r.patientKey })),
        );
      case 'ServiceRequest':
        return then.serviceRequests;
      case 'Task':
        return then.tasks;
    }
  });
}

/** One Patient per key of the person then (id = the key), with the links that held:
 * a merged key `replaced-by` its survivor (which `replaces` it), a linked key `seealso`. */
export function patientsOf(identity: IdentityAsOf): fhir4.Patient[] {
  return identity.keys.map((key) => {
    const link: fhir4.PatientLink[] = identity.links.flatMap((l): fhir4.PatientLink[] => {
      if (l.key === key)
        return [
          {
            other: { reference: `Patient/${l.target}` },
            type: l.via === 'merge' ? 'replaced-by' : 'seealso',
          },
        ];
      if (l.target === key)
        return [
          { other: { reference: `Patient/${l.key}` }, type: l.via === 'merge' ? 'replaces' : 'seealso' },
        ];
      return [];
    });
    const since = identity.links
      .filter((l) => l.key === key || l.target === key)
      .map((l) => l.since)
      .sort()
      .at(-1);
    return {
      resourceType: 'Patient',
      id: key,
      ...(since ? { meta: { lastUpdated: since } } : {}),
      ...(link.length > 0 ? { link } : {}),
    };
  });
}
