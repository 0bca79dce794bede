import { randomUUID } from 'node:crypto';
import { Body, Controller, Inject, Post, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { fhir4 } from '@yilian/contracts';
import type { InstitutionDirectory } from '@yilian/config';
import { allOk, errorsOf, httpStatusOf, operationOutcome, validateFhirResource } from '@yilian/fhir';
import {
  IdentityRequestError,
  type PatientIdentityCommand,
  PatientIdentityRejection,
} from '@yilian/patients';
import {
  authenticateInstitution,
  FhirExceptionFilter,
  FhirHttpError,
  INSTITUTIONS,
  tokenHeader,
} from '@yilian/runtime';
import type { FhirIdentityMapping, LocatedFhirRequest } from './fhir-patient.mapper';
import { patientIdentityRequests } from './fhir-patient.mapper';
import { type PatientOperation, patientOperationRequest } from './fhir-patient.operations';
import { PatientIdentityService } from './patient-identity.service';

/**
 * FHIR R4 patient identity from member systems, without ids in URLs:
 * `POST /fhir/Patient` creates or updates a registration by identifier (demographics, the MRN's
 * link to the resident ID number, Patient.link merges and confirmed matches);
 * `POST /fhir/Patient/$merge` and `/$unmerge` take a Parameters naming both records. Answers
 * only after the durable append: 201 when something was recorded, 200 when it was known.
 */
@Controller('fhir')
@UseFilters(FhirExceptionFilter)
export class PatientsFhirController {
  constructor(
    private readonly identity: PatientIdentityService,
    @Inject(INSTITUTIONS) private readonly institutions: InstitutionDirectory,
  ) {}

  @Post('Patient')
  async upsert(@Body() body: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    const institution = authenticateInstitution(req, this.institutions).code;
    const patient = validated<fhir4.Patient>(body, 'Patient');
    const { record, requests } = accepted(patientIdentityRequests(institution, patient));
    const recorded = await this.apply(institution, requests, req);
    const key = this.identity.keys.subjectKey(record);
    const answer: fhir4.Patient = { resourceType: 'Patient', id: key };
    send(res.location(`Patient/${key}`), recorded > 0 ? 201 : 200, answer);
  }

  @Post('Patient/$merge')
  merge(@Body() body: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.operation('merge', body, req, res);
  }

  @Post('Patient/$unmerge')
  unmerge(@Body() body: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.operation('unmerge', body, req, res);
  }

  private async operation(op: PatientOperation, body: unknown, req: Request, res: Response) {
    const institution = authenticateInstitution(req, this.institutions).code;
    const parameters = validated<fhir4.Parameters>(body, 'Parameters');
    const { requests } = accepted(patientOperationRequest(institution, op, parameters));
    const recorded = await this.apply(institution, requests, req);
    const done = op === 'merge' ? 'merged' : 'separated';
    send(res, 200, allOk(recorded > 0 ? `the records were ${done}` : `the records were already ${done}`));
  }

  /** Keys, decides and appends the requests; the number of events recorded. */
  private async apply(
    institution: string,
    requests: readonly LocatedFhirRequest[],
    req: Request,
  ): Promise<number> {
    const located = new Map<PatientIdentityCommand, string>();
    for (const r of requests) {
      try {
        for (const command of this.identity.keys.commandsFor(r.request, institution))
          located.set(command, pathOf(command, r));
      } catch (e) {
        if (!(e instanceof IdentityRequestError)) throw e;
        const path = e.side === 'prior' || e.side === 'other' ? (r.other ?? r.record) : r.record;
        throw FhirHttpError.of(400, 'required', e.message, path);
      }
    }
    const correlationId = tokenHeader(req, 'x-correlation-id') ?? randomUUID();
    const messageId = tokenHeader(req, 'x-request-id') ?? randomUUID();
    const source = { institution, protocol: 'fhir' as const, messageId, correlationId };
    try {
      const recorded = await this.identity.apply([...located.keys()], source, new Date().toISOString());
      return recorded.length;
    } catch (e) {
      if (e instanceof PatientIdentityRejection)
        throw FhirHttpError.of(422, 'business-rule', e.message, located.get(e.command));
      if (e instanceof Error && e.name === 'WrongExpectedRevisionError')
        throw FhirHttpError.of(409, 'conflict', 'the patient was changed concurrently; send it again');
      throw e;
    }
  }
}

function accepted(mapped: FhirIdentityMapping): Extract<FhirIdentityMapping, { ok: true }> {
  if (!mapped.ok) throw fhirError(operationOutcome(mapped.issues));
  return mapped;
}

function validated<T extends fhir4.Resource>(body: unknown, resourceType: T['resourceType']): T {
  const errors = errorsOf(validateFhirResource(body));
  if (errors.length > 0) throw fhirError(operationOutcome(errors));
  if ((body as fhir4.Resource).resourceType !== resourceType)
    throw FhirHttpError.of(400, 'invalid', `the body must be a ${resourceType}`, 'resourceType');
  return body as T;
}

/** A link or demographics concern the record; a merge or separation the other record. */
function pathOf(command: PatientIdentityCommand, r: LocatedFhirRequest): string {
  if (command.type === 'MergePatients' || command.type === 'SeparatePatients') return r.other ?? r.record;
  if (command.type === 'LinkIdentifiers' && command.reason === 'patient-link') return r.other ?? r.record;
  return r.record;
}

function fhirError(outcome: fhir4.OperationOutcome): FhirHttpError {
  return new FhirHttpError(httpStatusOf(outcome), outcome);
}

function send(res: Response, status: number, body: fhir4.Resource): void {
  res.status(status).type('application/fhir+json').send(JSON.stringify(body));
}
