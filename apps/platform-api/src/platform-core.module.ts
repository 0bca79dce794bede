import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { parseReadClients, type ReadClientCredential } from '@yilian/config';
import type { PatientKeyer } from '@yilian/patients';
import { PATIENT_KEYER, READ_MODEL_POOL } from '@yilian/runtime';
import { PatientAccess } from './access/patient-access';
import { ReadGate } from './access/read-gate';
import { FhirSearchService } from './fhir/search/fhir-search.service';
import { ACCESS_AUDIT_RETENTION_DAYS, AccessAuditService } from './audit/access-audit.service';
import { PlatformAuth } from './platform-auth';

export interface PlatformApiOptions {
  readonly readModelPool: Pool;
  /** `PLATFORM_CLIENTS` (libs/config read-clients.ts: JSON or `name:sha256[:role[:institution]]`). */
  readonly platformClients: string;
  /** More clients, e.g. the member institutions reading with their intake API key. */
  readonly readClients?: readonly ReadClientCredential[];
  /** How long the access trail is kept (days; default 184, more than six months). */
  readonly accessAuditRetentionDays?: number;
  /** Resolves identifiers to patient keys for POST /fhir/Patient/_search. */
  readonly patientKeyer: PatientKeyer;
}

/** What every read-side slice is given: the read-model pool, client authentication and the
 * access audit. Global, so each slice module just injects. */
@Global()
@Module({})
export class PlatformCoreModule {
  static register(options: PlatformApiOptions): DynamicModule {
    return {
      module: PlatformCoreModule,
      providers: [
        { provide: READ_MODEL_POOL, useValue: options.readModelPool },
        {
          provide: PlatformAuth,
          useValue: new PlatformAuth([
            ...parseReadClients(options.platformClients),
            ...(options.readClients ?? []),
          ]),
        },
        { provide: PATIENT_KEYER, useValue: options.patientKeyer },
        AccessAuditService,
        PatientAccess,
        ReadGate,
        FhirSearchService,
        ...(options.accessAuditRetentionDays !== undefined
          ? [{ provide: ACCESS_AUDIT_RETENTION_DAYS, useValue: options.accessAuditRetentionDays }]
          : []),
      ],
      exports: [
        READ_MODEL_POOL,
        PlatformAuth,
        AccessAuditService,
        PATIENT_KEYER,
        PatientAccess,
        ReadGate,
        FhirSearchService,
      ],
    };
  }
}
