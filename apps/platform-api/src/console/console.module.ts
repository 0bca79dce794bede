import { Module } from '@nestjs/common';
import { ReferralsReadModule } from '../referrals/referrals-read.module';
import { ConsoleAuditController } from './console-audit.controller';
import { ConsoleAuth } from './console-auth';
import { ConsoleReferralsController } from './console-referrals.controller';

/** What the web console needs beyond the API: who the key is, the institution's own desk, the
 * auditors' page. The console itself is static files (console-static.ts). */
@Module({
  imports: [ReferralsReadModule],
  controllers: [ConsoleReferralsController, ConsoleAuditController],
  providers: [ConsoleAuth],
  exports: [ConsoleAuth],
})
export class ConsoleModule {}
