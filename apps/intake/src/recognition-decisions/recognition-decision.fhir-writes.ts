import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Response } from 'express';
import type { fhir4 } from '@yilian/contracts';
import { EVENT_STORE, type EventStore } from '@yilian/event-store';
import { issue, operationOutcome, validateFhirResource } from '@yilian/fhir';
import { hasPartInCare, noPartInCare, type PatientKeyer } from '@yilian/patients';
import {
  DECLINE_REASON_KEYS,
  DecisionRejection,
  decisionTaskId,
  handleRecognitionDecision,
  type EligibilityService,
} from '@yilian/recognition';
import type { SqlExecutor } from '@yilian/results';
import { FhirHttpError, PATIENT_KEYER, READ_MODEL_POOL, RECOGNITION_ELIGIBILITY } from '@yilian/runtime';
import { idempotencyKey } from '../alliance/alliance-admin.controller';
import type { FhirWrite, FhirWriteSlice } from '../fhir/fhir-write';
import {
  DECISION_CODE_SYSTEM,
  isDecisionTask,
  readDecisionTask,
  type TaskPatient,
} from './recognition-decision.task';

/**
 * `POST /fhir/Task` with a recognition-decision code: the requesting institution (its
 * credential) records that it recognised an existing result or declined it, and why. Refused
 * with an OperationOutcome naming the path: a patient in whose care the institution has no part
 * (403, `Task.for`, as platform-api's PatientAccess: asked before anything about the result, so
 * the refusal says nothing about it), a result not recognisable for it now (422, `Task.focus`),
 * a decline without a ValueSet reason, a text over 200 characters. 201 with the Task
 * (`meta.versionId` = the decision's version); the same decision again is 200. Without the read
 * models (recognition and the part in care: intake main without READ_MODEL_DATABASE_URL) 501.
 */
@Injectable()
export class RecognitionDecisionFhirWrites implements FhirWriteSlice {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PATIENT_KEYER) private readonly keyer: PatientKeyer,
    @Optional() @Inject(RECOGNITION_ELIGIBILITY) private readonly eligibility?: EligibilityService,
    @Optional() @Inject(READ_MODEL_POOL) private readonly readModels?: SqlExecutor,
  ) {}

  takes({ method, type, body }: FhirWrite): boolean {
    return method === 'POST' && type === 'Task' && isDecisionTask(body);
  }

  async write(w: FhirWrite): Promise<void> {
    if (!this.eligibility || !this.readModels)
      throw FhirHttpError.of(
        501,
        'not-supported',
        'recognition is not wired into this intake (READ_MODEL_DATABASE_URL)',
      );
    const task = w.body as fhir4.Task;
    const errors = validateFhirResource(task).filter((i) => i.severity === 'error' || i.severity === 'fatal');
    if (errors.length > 0) throw new FhirHttpError(422, operationOutcome(errors));
    const read = readDecisionTask(task, w.institution);
    if (!read.ok)
      throw new FhirHttpError(
        422,
        operationOutcome(read.issues.map((i) => issue('error', i.code, i.path, i.message))),
      );
    const d = read.task;
    const patientKey = this.keyOf(d.patient, w.institution);
    if (!(await hasPartInCare(this.readModels, w.institution, patientKey)))
      throw FhirHttpError.of(403, 'forbidden', noPartInCare(w.institution), 'Task.for');
    const now = new Date().toISOString();
    const messageId = idempotencyKey(w.req) ?? `Task/${d.resource}/${now}`;
    try {
      const outcome = await handleRecognitionDecision(
        { store: this.store, eligibility: this.eligibility, allowedReasons: DECLINE_REASON_KEYS },
        {
          institution: w.institution,
          patientKey,
          resource: d.resource,
          decision: d.decision,
          ...(d.encounter ? { encounter: d.encounter } : {}),
          ...(d.practitioner ? { practitioner: d.practitioner } : {}),
          ...(d.reason ? { reason: d.reason } : {}),
          ...(d.text ? { text: d.text } : {}),
          now,
          source: { institution: w.institution, messageId, protocol: 'fhir' },
          correlationId: w.correlationId ?? messageId,
        },
      );
      const version = (outcome.event.data as { version: number }).version;
      const id = decisionTaskId(outcome.stream);
      const answer: fhir4.Task = {
        ...task,
        id,
        meta: { versionId: String(version), lastUpdated: outcome.event.recordedAt },
        status: 'completed',
        code: { coding: [{ system: DECISION_CODE_SYSTEM, code: d.decision }] },
        for: { reference: `Patient/${patientKey}` },
        requester: { identifier: { system: 'https://fhir.yilian.cn/sid/institution', value: w.institution } },
        authoredOn: (outcome.event.data as { decidedAt: string }).decidedAt,
      };
      send(w.res, outcome.duplicate ? 200 : 201, answer, `Task/${id}/_history/${version}`);
    } catch (e) {
      if (e instanceof DecisionRejection) {
        const path =
          e.field === 'resource'
            ? 'Task.focus'
            : e.field === 'text'
              ? 'Task.statusReason.text'
              : 'Task.statusReason.coding';
        const code = e.code === 'not-recognisable' || e.code === 'unknown-result' ? 'processing' : 'value';
        throw new FhirHttpError(422, operationOutcome([issue('error', code, path, e.message)]));
      }
      throw e;
    }
  }

  private keyOf(patient: TaskPatient, institution: string): string {
    try {
      if ('patientKey' in patient) return patient.patientKey;
      if ('residentId' in patient) return this.keyer.forResidentId(patient.residentId);
      return this.keyer.forMrn(institution, patient.mrn);
    } catch {
      throw FhirHttpError.of(422, 'value', 'the patient identifier is not valid', 'Task.for');
    }
  }
}

function send(res: Response, status: number, body: unknown, location: string): void {
  res.status(status).location(location).type('application/fhir+json').send(JSON.stringify(body));
}
