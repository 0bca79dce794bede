import { Injectable } from '@nestjs/common';
import type { fhir4 } from '@yilian/contracts';
import { WrongExpectedRevisionError } from '@yilian/event-store';
import { httpStatusOf, invalid, operationOutcome, parseLabReport } from '@yilian/fhir';
import { LabReportRejection } from '@yilian/results';
import { FhirHttpError } from '@yilian/runtime';
import { LabResultsIntake } from '../results/lab-results.intake';
import { type FhirWrite, type FhirWriteSlice, isObject } from './fhir-write';
import { submittedPatient } from './submitted-patient';

/** FHIR R4 lab reports from member systems: a transaction Bundle (`POST /fhir`) or a
 * DiagnosticReport with contained Observations (`POST /fhir/DiagnosticReport`). The dispatcher
 * asks this slice last: a Bundle or DiagnosticReport no other slice took is a lab report. */
@Injectable()
export class LabFhirWrites implements FhirWriteSlice {
  constructor(private readonly labResults: LabResultsIntake) {}

  takes({ method, type }: FhirWrite): boolean {
    return method === 'POST' && (type === undefined || type === 'DiagnosticReport');
  }

  async write({ institution, correlationId, type, body, res }: FhirWrite): Promise<void> {
    if (type === 'DiagnosticReport' && (!isObject(body) || body.resourceType !== 'DiagnosticReport')) {
      throw new FhirHttpError(
        400,
        invalid('the body must be a DiagnosticReport', 'DiagnosticReport.resourceType'),
      );
    }
    const parsed = parseLabReport(body);
    if (!parsed.ok) {
      const outcome = operationOutcome(parsed.issues);
      throw new FhirHttpError(httpStatusOf(outcome), outcome);
    }
    const { report, observations, specimens, patient, paths, resolved } = parsed.content;
    const accession = report.identifier?.find((i) => i.value)?.value;
    if (!accession) {
      throw FhirHttpError.of(
        400,
        'required',
        'the report needs a business identifier (accession number)',
        'DiagnosticReport.identifier',
      );
    }
    const who = submittedPatient(institution, report, patient, paths);
    if (!who.ok) {
      const outcome = operationOutcome(who.issues);
      throw new FhirHttpError(httpStatusOf(outcome), outcome);
    }
    let outcome;
    try {
      outcome = await this.labResults.record({
        institution,
        accession,
        patient: who.patient,
        report,
        observations,
        specimens,
        protocol: 'fhir',
        messageId: accession,
        correlationId,
        resolve: (ref) => resolved.get(ref),
      });
    } catch (e) {
      if (e instanceof WrongExpectedRevisionError) {
        throw FhirHttpError.of(409, 'conflict', 'the report was changed concurrently; send it again');
      }
      if (e instanceof LabReportRejection)
        throw FhirHttpError.of(422, 'business-rule', e.message, 'DiagnosticReport.subject');
      throw e;
    }
    const location = `DiagnosticReport/${outcome.id}/_history/${outcome.version}`;
    const recorded = outcome.event?.data as
      | { observations?: fhir4.Observation[]; specimens?: fhir4.Specimen[]; report?: fhir4.DiagnosticReport }
      | undefined;
    const status = outcome.duplicate ? '200 OK' : '201 Created';
    // One response entry per request entry, in request order (FHIR transaction-response).
    const locationAt = new Map<string, string>([[paths.report, location]]);
    paths.observations.forEach((p, i) => {
      const o = recorded?.observations?.[i];
      if (o) locationAt.set(p, `Observation/${o.id}/_history/${outcome.version}`);
    });
    paths.specimens.forEach((p, i) => {
      const sp = recorded?.specimens?.[i];
      if (sp) locationAt.set(p, `Specimen/${sp.id}/_history/${outcome.version}`);
    });
    if (paths.patient) locationAt.set(paths.patient, recorded?.report?.subject?.reference ?? 'Patient');
    const entries = isObject(body) && Array.isArray(body.entry) ? body.entry : [];
    const response: fhir4.Bundle = {
      resourceType: 'Bundle',
      type: 'transaction-response',
      entry: (entries.length > 0 ? entries.map((_, i) => `Bundle.entry[${i}].resource`) : [paths.report]).map(
        (p) => ({
          response: { status, ...(locationAt.has(p) ? { location: locationAt.get(p) } : {}) },
        }),
      ),
    };
    res
      .status(outcome.duplicate ? 200 : 201)
      .location(location)
      .type('application/fhir+json')
      .send(JSON.stringify(response));
  }
}
