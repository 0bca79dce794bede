import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { READ_MODEL_POOL } from '@yilian/runtime';
import { CdsRecognitionEligibility } from './cds-eligibility';
import { CdsHooksController } from './cds-hooks.controller';
import { CDS_ELIGIBILITY, CdsHooksService } from './cds-hooks.service';

/** The duplicate-test alert at ordering time as CDS Hooks 2.0 services (cds-hooks.controller.ts).
 * The recognition decisions will provide CDS_FEEDBACK_HANDLER (cds-feedback.port.ts). */
@Module({
  controllers: [CdsHooksController],
  providers: [
    {
      provide: CDS_ELIGIBILITY,
      inject: [READ_MODEL_POOL],
      useFactory: (pool: Pool) => new CdsRecognitionEligibility(pool),
    },
    CdsHooksService,
  ],
})
export class CdsHooksModule {}
