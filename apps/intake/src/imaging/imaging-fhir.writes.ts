import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import type { fhir4 } from '@yilian/contracts';
import { IdempotencyConflictError, WrongExpectedRevisionError } from '@yilian/event-store';
import { httpStatusOf, operationOutcome, type ValidationIssue } from '@yilian/fhir';
import { InvalidResidentIdError, PatientIdentityRejection } from '@yilian/patients';
import { ImagingRejection } from '@yilian/results';
import { FhirHttpError } from '@yilian/runtime';
import { type FhirWrite, type FhirWriteSlice, isObject } from '../fhir/fhir-write';
import { imagingPartiesOf } from './imaging-fhir.resolve';
import { type ImagingFhirContent, readImagingSubmission } from './imaging-fhir.submission';
import { ImagingIntake, type ImagingRecorded } from './imaging-intake.service';

function refused(issues: readonly ValidationIssue[]): FhirHttpError {
  const outcome = operationOutcome(issues);
  return new FhirHttpError(httpStatusOf(outcome), outcome);
}

/** A DiagnosticReport that names an imaging study. */
function namesStudy(r: Record<string, unknown>): boolean {
  return r.resourceType === 'DiagnosticReport' && Array.isArray(r.imagingStudy) && r.imagingStudy.length > 0;
}

/** A Bundle with an ImagingStudy entry or a DiagnosticReport entry that names a study. */
export function isImagingBundle(body: unknown): boolean {
  if (!isObject(body) || body.resourceType !== 'Bundle' || !Array.isArray(body.entry)) return false;
  return body.entry.some(
    (e) =>
      isObject(e) &&
      isObject(e.resource) &&
      (e.resource.resourceType === 'ImagingStudy' || namesStudy(e.resource)),
  );
}

/**
 * FHIR R4 imaging writes: `POST /fhir` with a transaction Bundle carrying an ImagingStudy or a
 * DiagnosticReport that names its study, `POST /fhir/ImagingStudy`, and `POST
 * /fhir/DiagnosticReport` with `imagingStudy` (one without is a lab report). 201 with `Location`
 * (200 for a resend, same Location); the body a transaction-response Bundle, one entry per
 * request entry.
 */
@Injectable()
export class ImagingFhirWrites implements FhirWriteSlice {
  constructor(private readonly imaging: ImagingIntake) {}

  takes({ method, type, body }: FhirWrite): boolean {
    if (method !== 'POST') return false;
    if (type === undefined) return isImagingBundle(body);
    return type === 'ImagingStudy' || (type === 'DiagnosticReport' && isObject(body) && namesStudy(body));
  }

  /** One reading for all three forms. */
  async write({ institution: sender, correlationId, body, res }: FhirWrite): Promise<void> {
    const read = readImagingSubmission(body);
    if (!read.ok) throw refused(read.issues);
    const content = read.content;
    const resolved = imagingPartiesOf(content, sender, (code) => this.imaging.isKnownInstitution(code));
    if (!resolved.ok) throw refused(resolved.issues);
    const { performer, performerBasis, accession, patient } = resolved.parties;
    const { id: _studyId, subject: _studySubject, ...study } = content.study?.resource ?? {};
    const { id: _reportId, subject: _reportSubject, ...report } = content.report?.resource ?? {};
    let recorded: ImagingRecorded;
    try {
      [recorded] = (await this.imaging.recordAll([
        {
          institution: sender,
          performer,
          performerBasis,
          accession,
          patient,
          ...(content.study ? { study: study as fhir4.ImagingStudy, endpoints: content.endpoints } : {}),
          ...(content.report ? { report: report as fhir4.DiagnosticReport } : {}),
          protocol: 'fhir',
          messageId: accession,
          ...(correlationId ? { correlationId } : {}),
        },
      ])) as [ImagingRecorded];
    } catch (e) {
      throw this.answerTo(e, content);
    }
    send(res, recorded, content);
  }

  private answerTo(e: unknown, content: ImagingFhirContent): unknown {
    const where = content.report?.path ?? content.study?.path ?? '';
    if (e instanceof WrongExpectedRevisionError) {
      return FhirHttpError.of(409, 'conflict', 'the study was changed concurrently; send it again');
    }
    if (e instanceof ImagingRejection) {
      const path =
        e.code === 'patient-mismatch'
          ? `${where}.subject`
          : e.code === 'unknown-study'
            ? `${where}.imagingStudy[0]`
            : where;
      return FhirHttpError.of(422, 'business-rule', e.message, path);
    }
    if (e instanceof InvalidResidentIdError)
      return FhirHttpError.of(400, 'value', e.message, `${where}.subject`);
    if (e instanceof PatientIdentityRejection)
      return FhirHttpError.of(422, 'business-rule', e.message, `${where}.subject`);
    if (e instanceof IdempotencyConflictError) {
      return FhirHttpError.of(
        409,
        'duplicate',
        'this identifier was already used for another study or report',
      );
    }
    return e;
  }
}

function send(res: Response, recorded: ImagingRecorded, content: ImagingFhirContent): void {
  const versioned = (type: string, version: number | undefined) =>
    version ? `${type}/${recorded.id}/_history/${version}` : undefined;
  const reportAt = versioned('DiagnosticReport', recorded.reportVersion);
  const studyAt = versioned('ImagingStudy', recorded.studyVersion);
  const status = recorded.duplicate ? '200 OK' : '201 Created';
  const locations = new Map<string | undefined, string | undefined>([
    [content.report?.path, reportAt],
    [content.study?.path, studyAt],
    [content.patient?.path, `Patient/${recorded.patientKey}`],
  ]);
  const response: fhir4.Bundle = {
    resourceType: 'Bundle',
    type: 'transaction-response',
    entry: content.entryPaths.map((p) => {
      const location = locations.get(p);
      return { response: { status, ...(location ? { location } : {}) } };
    }),
  };
  res
    .status(recorded.duplicate ? 200 : 201)
    .location((reportAt ?? studyAt)!)
    .type('application/fhir+json')
    .send(JSON.stringify(response));
}
