import { type DynamicModule, Module } from '@nestjs/common';
import { AsOfModule } from './as-of/as-of.module';
import { AuditEventController } from './audit/audit-event.controller';
import { BulkExportModule } from './bulk/bulk-export.module';
import { ConsoleModule } from './console/console.module';
import { DirectoryController } from './fhir/directory.controller';
import { EverythingController } from './fhir/everything.controller';
import { MetadataController } from './fhir/metadata.controller';
import { PatientSearchController } from './fhir/patient-search.controller';
import { ResultsFhirController } from './fhir/results-fhir.controller';
import { ResultsReadRepository } from './fhir/results-read.repository';
import { type PlatformApiOptions, PlatformCoreModule } from './platform-core.module';
import { SmartController } from './smart/smart.controller';
import { ReferralsReadModule } from './referrals/referrals-read.module';
import { ImagingReadModule } from './imaging/imaging-read.module';
import { RecognitionReadModule } from './recognition/recognition.module';
import { CdsHooksModule } from './cds-hooks/cds-hooks.module';

export type { PlatformApiOptions } from './platform-core.module';
export { consoleDir, consoleStatic } from './console/console-static';

/** The read side for the regional platform, auditors and the console. Each domain slice is a
 * module of its own, imported here. */
@Module({})
export class PlatformApiModule {
  static register(options: PlatformApiOptions): DynamicModule {
    return {
      module: PlatformApiModule,
      imports: [
        PlatformCoreModule.register(options),
        AsOfModule,
        ReferralsReadModule,
        ImagingReadModule,
        RecognitionReadModule,
        CdsHooksModule,
        BulkExportModule,
        ConsoleModule,
      ],
      controllers: [
        MetadataController,
        PatientSearchController,
        ResultsFhirController,
        AuditEventController,
        EverythingController,
        DirectoryController,
        SmartController,
      ],
      providers: [ResultsReadRepository],
    };
  }
}
