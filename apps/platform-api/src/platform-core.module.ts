import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { type InstitutionDirectory, parseReadClients, type ReadClientCredential } from '@yilian/config';
import { EVENT_STORE, type EventStore } from '@yilian/event-store';
import type { PatientKeyer } from '@yilian/patients';
import { RetrievalSerials } from '@yilian/recognition';
import { PATIENT_KEYER, READ_MODEL_POOL } from '@yilian/runtime';
import { PatientAccess } from './access/patient-access';
import { ReadGate } from './access/read-gate';
import { RetrievalStamp } from './access/retrieval-stamp';
import { ACCESS_AUDIT_RETENTION_DAYS, AccessAuditService } from './audit/access-audit.service';
import { CHAIN_VERIFIER, type ChainVerifier } from './console/console-audit.controller';
import { CONSOLE_INSTITUTIONS } from './console/console-auth';
import { FhirSearchService } from './fhir/search/fhir-search.service';
import { PlatformAuth } from './platform-auth';
import { AccessTokens } from './smart/access-tokens';
import { ClientJwtVerifier } from './smart/client-jwt';

export interface PlatformApiOptions {
  readonly readModelPool: Pool;
  /** `PLATFORM_CLIENTS` (libs/config read-clients.ts: JSON or `name:sha256[:role[:institution]]`). */
  readonly platformClients: string;
  /** How long the access trail is kept (days; default 184, more than six months). */
  readonly accessAuditRetentionDays?: number;
  /** Resolves identifiers to patient keys for POST /fhir/Patient/_search. */
  readonly patientKeyer: PatientKeyer;
  /** Member institutions' credentials: their staff sign in to the console with them, and they
   * read the patients they have a part in with them (role institution, docs/access.md). */
  readonly institutions?: InstitutionDirectory;
  /** Auditors (`name:sha256hex,…`): the only keys that see the audit trail. */
  readonly auditors?: string;
  /** The log's hash-chain verification, where the event store is at hand (the hub). */
  readonly verifyChain?: ChainVerifier;
  /** The event store, for the two facts the read side records: retrievals (调阅, with their
   * serials) and the console's recognition decisions. Without it neither is recorded (and
   * decisions answer 501). */
  readonly store?: EventStore;
  /** Signs the access tokens of `POST /auth/token` (PLATFORM_TOKEN_SECRET): processes that share
   * it accept each other's tokens. Absent: a secret of this process's own. */
  readonly accessTokenSecret?: string;
}

/** Every read client: PLATFORM_CLIENTS, the auditors, and each member institution's key. */
export function readClientsOf(options: PlatformApiOptions): ReadClientCredential[] {
  return [
    ...parseReadClients(options.platformClients),
    ...auditorsOf(options),
    ...(options.institutions?.institutions ?? []).map((i) => ({
      name: `institution-${i.code}`,
      apiKeySha256: i.apiKeySha256,
      role: 'institution' as const,
      institution: i.code,
    })),
  ];
}

function auditorsOf(options: PlatformApiOptions): ReadClientCredential[] {
  return options.auditors
    ? parseReadClients(options.auditors).map((c) => ({ ...c, role: 'auditor' as const }))
    : [];
}

/** What every read-side slice is given: the read-model pool, client authentication and the
 * access audit. Global, so each slice module just injects. */
@Global()
@Module({})
export class PlatformCoreModule {
  static register(options: PlatformApiOptions): DynamicModule {
    const auth = new PlatformAuth(readClientsOf(options), new AccessTokens(options.accessTokenSecret));
    return {
      module: PlatformCoreModule,
      providers: [
        { provide: READ_MODEL_POOL, useValue: options.readModelPool },
        { provide: PlatformAuth, useValue: auth },
        { provide: ClientJwtVerifier, useValue: new ClientJwtVerifier(auth) },
        { provide: PATIENT_KEYER, useValue: options.patientKeyer },
        AccessAuditService,
        PatientAccess,
        ReadGate,
        RetrievalStamp,
        FhirSearchService,
        ...(options.accessAuditRetentionDays !== undefined
          ? [{ provide: ACCESS_AUDIT_RETENTION_DAYS, useValue: options.accessAuditRetentionDays }]
          : []),
        ...(options.institutions ? [{ provide: CONSOLE_INSTITUTIONS, useValue: options.institutions }] : []),
        ...(options.verifyChain ? [{ provide: CHAIN_VERIFIER, useValue: options.verifyChain }] : []),
        ...(options.store
          ? [
              { provide: EVENT_STORE, useValue: options.store },
              { provide: RetrievalSerials, useValue: new RetrievalSerials(options.store) },
            ]
          : []),
      ],
      exports: [
        READ_MODEL_POOL,
        PlatformAuth,
        ClientJwtVerifier,
        AccessAuditService,
        PATIENT_KEYER,
        PatientAccess,
        ReadGate,
        RetrievalStamp,
        FhirSearchService,
        ...(options.institutions ? [CONSOLE_INSTITUTIONS] : []),
        ...(options.verifyChain ? [CHAIN_VERIFIER] : []),
        ...(options.store ? [EVENT_STORE, RetrievalSerials] : []),
      ],
    };
  }
}
