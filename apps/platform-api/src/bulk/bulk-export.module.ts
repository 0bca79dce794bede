import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { BulkExportController } from './bulk-export.controller';
import { BulkExports } from './bulk-exports.service';
import { BulkKickOffByPost } from './bulk-kick-off.middleware';
import { PatientGroups } from './patient-groups';

/** FHIR Bulk Data Access v2.0.0 `$export` (docs/bulk-data.md). */
@Module({
  controllers: [BulkExportController],
  providers: [BulkExports, PatientGroups],
})
export class BulkExportModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(BulkKickOffByPost)
      .forRoutes(
        { path: 'fhir/$export', method: RequestMethod.POST },
        { path: 'fhir/Patient/$export', method: RequestMethod.POST },
        { path: 'fhir/Group/:id/$export', method: RequestMethod.POST },
      );
  }
}
