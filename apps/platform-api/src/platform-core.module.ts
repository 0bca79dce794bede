import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { Pool } from 'pg';
import type { InstitutionDirectory } from '@yilian/config';
import type { PatientKeyer } from '@yilian/patients';
import { PATIENT_KEYER, READ_MODEL_POOL } from '@yilian/runtime';
import { AccessAuditService } from './audit/access-audit.service';
import { CHAIN_VERIFIER, type ChainVerifier } from './console/console-audit.controller';
import { CONSOLE_AUDITORS, CONSOLE_INSTITUTIONS } from './console/console-auth';
import { PlatformAuth } from './platform-auth';

export interface PlatformApiOptions {
  readonly readModelPool: Pool;
  readonly platformClients: string;
  /** Resolves identifiers to patient keys for POST /fhir/Patient/_search. */
  readonly patientKeyer: PatientKeyer;
  /** Member institutions' credentials: their staff sign in to the console with them. */
  readonly institutions?: InstitutionDirectory;
  /** Auditors (`name:sha256hex,…`): the only keys that see the audit trail. */
  readonly auditors?: string;
  /** The log's hash-chain verification, where the event store is at hand (the hub). */
  readonly verifyChain?: ChainVerifier;
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
        ...(options.institutions ? [{ provide: CONSOLE_INSTITUTIONS, useValue: options.institutions }] : []),
        ...(options.auditors
          ? [{ provide: CONSOLE_AUDITORS, useValue: new PlatformAuth(options.auditors) }]
          : []),
        ...(options.verifyChain ? [{ provide: CHAIN_VERIFIER, useValue: options.verifyChain }] : []),
      ],
      exports: [
        READ_MODEL_POOL,
        PlatformAuth,
        AccessAuditService,
        PATIENT_KEYER,
        ...(options.institutions ? [CONSOLE_INSTITUTIONS] : []),
        ...(options.auditors ? [CONSOLE_AUDITORS] : []),
        ...(options.verifyChain ? [CHAIN_VERIFIER] : []),
      ],
    };
  }
}
