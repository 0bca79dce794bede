import { Module } from '@nestjs/common';
import { AllianceAdminController } from './alliance-admin.controller';
import { AllianceDirectoryService } from './alliance-directory.service';
import { ALLIANCE_OPERATORS, AllianceOperators } from './alliance-operators';
import { OutpatientVolumeController } from './outpatient-volume.controller';

/** Alliance administration (operators), outpatient volume reports (institutions), and the
 * directory of alliances the referral slice asks. */
@Module({
  controllers: [AllianceAdminController, OutpatientVolumeController],
  providers: [
    AllianceDirectoryService,
    { provide: ALLIANCE_OPERATORS, useFactory: () => AllianceOperators.fromEnv(process.env) },
  ],
  exports: [AllianceDirectoryService],
})
export class AllianceIntakeModule {}
