import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import type { fhir4 } from '@yilian/contracts';
import { validateFhirResource } from '@yilian/fhir';
import {
  isReferralBundle,
  readReferralBundle,
  readServiceRequest,
  readTaskUpdate,
  referralToServiceRequest,
  referralToTask,
  type FhirIssue,
  type HandledReferral,
} from '@yilian/referrals';
import { FhirHttpError } from '@yilian/runtime';
import { idempotencyKey } from '../alliance/alliance-admin.controller';
import type { FhirWrite, FhirWriteSlice } from '../fhir/fhir-write';
import { fhirError, ReferralFhirIntake, type FhirCall } from './referral-fhir.intake';

/**
 * FHIR R4 writes of referrals, handed over by the `/fhir` dispatcher: `POST /fhir` (a
 * transaction Bundle carrying a ServiceRequest or a Task: a new referral or a Task update),
 * `POST /fhir/ServiceRequest`, `PUT /fhir/Task/{id}`. Answers only after the durable append.
 */
@Injectable()
export class ReferralFhirWrites implements FhirWriteSlice {
  constructor(private readonly intake: ReferralFhirIntake) {}

  takes({ method, type, id, body }: FhirWrite): boolean {
    if (method === 'PUT') return type === 'Task' && id !== undefined;
    return type === undefined ? isReferralBundle(body) : type === 'ServiceRequest';
  }

  write(w: FhirWrite): Promise<void> {
    if (w.method === 'PUT') return this.update(w);
    return w.type === undefined ? this.transaction(w) : this.create(w);
  }

  private async transaction(w: FhirWrite): Promise<void> {
    const { body, res } = w;
    const submission = readReferralBundle(validated<fhir4.Bundle>(body, 'Bundle'));
    if (!submission.ok) throw fhirError(submission.issues);
    const call = callOf(w);
    if (submission.command.kind === 'task') {
      const handled = await this.intake.updateTask(call, submission.command);
      const { location, status } = taskAnswer(handled);
      return send(res, 200, bundleResponse([{ status, location }]), location);
    }
    const { referralId, patientKey, handled } = await this.intake.request(call, submission.command);
    const created = handled.recorded.length > 0 ? '201 Created' : '200 OK';
    const entries = submission.command.entries.map(({ resourceType }) =>
      resourceType === 'Patient'
        ? { status: '200 OK', location: `Patient/${patientKey}` }
        : { status: created, location: `${resourceType}/${referralId}/_history/1` },
    );
    send(
      res,
      handled.recorded.length > 0 ? 201 : 200,
      bundleResponse(entries),
      `ServiceRequest/${referralId}/_history/1`,
    );
  }

  private async create(w: FhirWrite): Promise<void> {
    const { body, res } = w;
    const submission = readServiceRequest(validated<fhir4.ServiceRequest>(body, 'ServiceRequest'));
    if (!submission.ok || submission.command.kind !== 'request')
      throw fhirError(submission.ok ? [] : submission.issues);
    const { referralId, handled } = await this.intake.request(callOf(w), submission.command);
    if (handled.state.status === 'none')
      throw FhirHttpError.of(500, 'exception', 'the referral was not recorded');
    // A resend answers with the referral as it stands now; its version is the platform's to tell.
    const created = handled.recorded.length > 0;
    const resource = {
      ...referralToServiceRequest(handled.state),
      ...(created ? { meta: { versionId: '1' } } : {}),
    };
    send(res, created ? 201 : 200, resource, `ServiceRequest/${referralId}/_history/1`);
  }

  private async update(w: FhirWrite): Promise<void> {
    const { id, body, res } = w;
    const submission = readTaskUpdate(validated<fhir4.Task>(body, 'Task'), id!);
    if (!submission.ok || submission.command.kind !== 'task')
      throw fhirError(submission.ok ? [] : submission.issues);
    const handled = await this.intake.updateTask(callOf(w), submission.command);
    const { location, resource } = taskAnswer(handled);
    res.setHeader('ETag', `W/"${handled.length}"`);
    send(res, 200, resource, location);
  }
}

/** The body as the type expected, valid against the R4 definitions; else 400 / 422 naming paths. */
function validated<T>(body: unknown, resourceType: string): T {
  if (
    typeof body !== 'object' ||
    body === null ||
    (body as { resourceType?: unknown }).resourceType !== resourceType
  )
    throw FhirHttpError.of(
      400,
      'invalid',
      `the body must be a ${resourceType}`,
      `${resourceType}.resourceType`,
    );
  const errors = validateFhirResource(body).filter((i) => i.severity === 'error' || i.severity === 'fatal');
  if (errors.length > 0)
    throw fhirError(errors.map((i) => ({ code: asCode(i.code), path: i.path, message: i.message })));
  return body as T;
}

function asCode(code: string): FhirIssue['code'] {
  if (code === 'invariant') return 'business-rule';
  const kept = ['required', 'value', 'code-invalid', 'not-supported'] as const;
  return kept.find((c) => c === code) ?? 'invalid';
}

function taskAnswer(handled: HandledReferral) {
  if (handled.state.status === 'none') throw FhirHttpError.of(404, 'not-found', 'no such referral');
  const resource = { ...referralToTask(handled.state), meta: { versionId: String(handled.length) } };
  const location = `Task/${resource.id}/_history/${handled.length}`;
  return { resource, location, status: '200 OK' };
}

function callOf({ institution: actor, correlationId, req }: FhirWrite): FhirCall {
  const messageId = idempotencyKey(req);
  return { actor, ...(messageId ? { messageId } : {}), ...(correlationId ? { correlationId } : {}) };
}

function bundleResponse(entries: readonly { status: string; location: string }[]): fhir4.Bundle {
  return {
    resourceType: 'Bundle',
    type: 'transaction-response',
    entry: entries.map((response) => ({ response })),
  };
}

function send(res: Response, status: number, body: unknown, location: string): void {
  res.status(status).location(location).type('application/fhir+json').send(JSON.stringify(body));
}
