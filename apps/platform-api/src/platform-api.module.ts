import { type DynamicModule, Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { READ_MODEL_POOL } from '@yilian/runtime';
import { AccessAuditService } from './audit/access-audit.service';
import { MetadataController } from './fhir/metadata.controller';
import { ResultsFhirController } from './fhir/results-fhir.controller';
import { ResultsReadRepository } from './fhir/results-read.repository';
import { PlatformAuth } from './platform-auth';

export interface PlatformApiOptions {
  readonly readModelPool: Pool;
  readonly platformClients: string;
}

/** The read side for the regional platform, auditors and the console. */
@Module({})
export class PlatformApiModule {
  static register(options: PlatformApiOptions): DynamicModule {
    return {
      module: PlatformApiModule,
      controllers: [MetadataController, ResultsFhirController],
      providers: [
        { provide: READ_MODEL_POOL, useValue: options.readModelPool },
        { provide: PlatformAuth, useValue: new PlatformAuth(options.platformClients) },
        ResultsReadRepository,
        AccessAuditService,
      ],
    };
  }
}
