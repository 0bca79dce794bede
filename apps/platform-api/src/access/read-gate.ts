import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { FhirHttpError, headerValue } from '@yilian/runtime';
import { type AccessEntry, AccessAuditService } from '../audit/access-audit.service';
import { PlatformAuth, type ReadClient } from '../platform-auth';
import { PatientAccess } from './patient-access';

type Recorded = Omit<AccessEntry, 'actor' | 'client' | 'purpose'>;

/** The door of every read route: who the client is, whether its scopes cover the resource type
 * and the patient is one it may see (401/403 with an OperationOutcome), and the access record
 * of what was read — refusals included. */
@Injectable()
export class ReadGate {
  constructor(
    @Inject(PlatformAuth) private readonly auth: PlatformAuth,
    @Inject(PatientAccess) private readonly access: PatientAccess,
    @Inject(AccessAuditService) private readonly audit: AccessAuditService,
  ) {}

  /** The client, allowed to read `resourceType` (for `patientKey`, when one is named). */
  async open(req: Request, resourceType: string, patientKey?: string | null): Promise<ReadClient> {
    const client = this.auth.authorize(req, resourceType);
    if (patientKey !== null) await this.patient(req, client, resourceType, patientKey);
    return client;
  }

  /** 403 unless the client may see the patient; the refusal is recorded. */
  async patient(req: Request, client: ReadClient, resourceType: string, patientKey?: string): Promise<void> {
    try {
      await this.access.require(client, patientKey);
    } catch (e) {
      if (e instanceof FhirHttpError && patientKey) {
        await this.record(req, client, {
          patientKey,
          interaction: 'read',
          resourceType,
          returned: 0,
          outcome: 'refused',
        });
      }
      throw e;
    }
  }

  mayRead(client: ReadClient, patientKey: string): Promise<boolean> {
    return this.access.mayRead(client, patientKey);
  }

  async record(req: Request, client: ReadClient, entry: Recorded): Promise<void> {
    const purpose = headerValue(req, 'x-purpose-of-use');
    await this.audit.record({ ...entry, actor: client.name, client, ...(purpose ? { purpose } : {}) });
  }

  /** One record per patient whose data the answer holds (or one for the patient searched). */
  async recordPerPatient(
    req: Request,
    client: ReadClient,
    entry: Omit<Recorded, 'patientKey' | 'returned' | 'resources'>,
    found: readonly { patientKey: string; ref: string }[],
    searched?: string,
  ): Promise<void> {
    const patients = [...new Set(found.map((f) => f.patientKey))];
    if (patients.length === 0) patients.push(searched ?? '');
    await Promise.all(
      patients.map((patientKey) => {
        const refs = found.filter((f) => f.patientKey === patientKey).map((f) => f.ref);
        return this.record(req, client, {
          ...entry,
          ...(patientKey ? { patientKey } : {}),
          returned: refs.length,
          resources: refs,
        });
      }),
    );
  }
}
