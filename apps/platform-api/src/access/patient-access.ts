import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { hasPartInCare, noPartInCare } from '@yilian/patients';
import { FhirHttpError, READ_MODEL_POOL } from '@yilian/runtime';
import type { ReadClient } from '../platform-auth';

/** Who may read which patient's data: the platform and auditors every patient, an institution
 * the patients it has a part in (`hasPartInCare`, @yilian/patients: under any key of the same
 * person it sent a result or an imaging study for them, or a referral of theirs names it as
 * requester or performer). Then it sees all the patient's data in the hub (so a result from
 * elsewhere that it may recognise reaches it). The intake's decisions as FHIR Tasks ask the same. */
@Injectable()
export class PatientAccess {
  constructor(@Inject(READ_MODEL_POOL) private readonly pool: Pool) {}

  async mayRead(client: ReadClient, patientKey: string): Promise<boolean> {
    if (client.role !== 'institution') return true;
    if (!client.institution) return false;
    return hasPartInCare(this.pool, client.institution, patientKey);
  }

  /** 403 with an OperationOutcome unless the client may read the patient's data. */
  async require(client: ReadClient, patientKey: string | undefined): Promise<void> {
    if (client.role !== 'institution') return;
    if (patientKey && (await this.mayRead(client, patientKey))) return;
    throw FhirHttpError.of(
      403,
      'forbidden',
      patientKey
        ? noPartInCare(client.institution ?? client.name)
        : `institution ${client.institution} must name a patient it has a part in`,
      'patient',
    );
  }
}
