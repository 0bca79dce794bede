import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { Pool } from 'pg';
import type { PatientKeyer } from '@yilian/patients';
import { PATIENT_KEYER, READ_MODEL_POOL } from '@yilian/runtime';
import { AccessAuditService } from './audit/access-audit.service';
import { PlatformAuth } from './platform-auth';

export interface PlatformApiOptions {
  readonly readModelPool: Pool;
  readonly platformClients: string;
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
        { provide: PlatformAuth, useValue: new PlatformAuth(options.platformClients) },
        { provide: PATIENT_KEYER, useValue: options.patientKeyer },
        AccessAuditService,
      ],
      exports: [READ_MODEL_POOL, PlatformAuth, AccessAuditService, PATIENT_KEYER],
    };
  }
}
