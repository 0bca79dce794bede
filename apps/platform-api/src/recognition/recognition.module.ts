import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { RecognitionEligibility } from '@yilian/recognition';
import { READ_MODEL_POOL } from '@yilian/runtime';
import { RecognisableOperationController } from './recognisable.operation';
import { RecognitionConformanceController } from './recognition-conformance.controller';
import { RecognitionDecisionsController } from './recognition-decisions.controller';
import { RecognitionEligibilityController } from './recognition-eligibility.controller';
import { RECOGNITION_ELIGIBILITY, RecognitionQueryService } from './recognition-query.service';
import { RecognitionResourcesRepository } from './recognition-resources.repository';

/**
 * The read side of mutual recognition (检查检验结果互认): which of a patient's results a
 * requesting institution may recognise, as of a moment — JSON for the console
 * (`POST /recognition/eligibility`), FHIR for systems (`Patient/$recognisable`), the operators'
 * unmatched-codes report, and the conformance resources of the extension.
 *
 * Who may ask (enforced in RecognitionQueryService, each refusal a 403 with a body):
 *
 * | key (role) | may ask | requester (the institution the answer is for) |
 * | --- | --- | --- |
 * | institution (its intake key) | only about a patient it has a part in — PatientAccess, as every other patient read: under any key of the same person it sent a result or imaging study, or a referral names it as requester or performer; otherwise 403, recorded as refused | always its own institution; a `requester` naming another is 403 |
 * | platform (`PLATFORM_CLIENTS`, the health commission / regional platform) | about any patient | required, named explicitly (400 without it), for audit and support |
 * | auditor (`PLATFORM_AUDITORS`) | about any patient | required, as platform |
 * | unmatched-codes report | platform and auditor keys only | — |
 *
 * A client needs the scope `system/DiagnosticReport.read` or `system/ImagingStudy.read`; the
 * answer holds only the types its scopes grant. Every question, answered or refused, is one
 * record in `pa_access_log` (interaction `recognisable`, resource type Patient, the patient key,
 * every `Type/id` the answer held, `X-Purpose-Of-Use`), served to auditors as AuditEvent
 * (subtype `operation`). Identifiers travel in bodies only and are never logged; the FHIR
 * instance level takes the hub's opaque patient key.
 */
@Module({
  controllers: [
    RecognitionEligibilityController,
    RecognitionDecisionsController,
    RecognisableOperationController,
    RecognitionConformanceController,
  ],
  providers: [
    {
      provide: RECOGNITION_ELIGIBILITY,
      inject: [READ_MODEL_POOL],
      useFactory: (pool: Pool) => new RecognitionEligibility(pool),
    },
    RecognitionQueryService,
    RecognitionResourcesRepository,
  ],
})
export class RecognitionReadModule {}
