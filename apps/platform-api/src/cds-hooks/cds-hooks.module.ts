import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { READ_MODEL_POOL } from '@yilian/runtime';
import { RecognitionEligibility } from '@yilian/recognition';
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
      // asked hundreds of times a second about now: the rules (changed a few times a year) are
      // looked at again at most once a second
      useFactory: (pool: Pool) => new RecognitionEligibility(pool, { rulesRecheckMs: 1000 }),
    },
    CdsHooksService,
  ],
})
export class CdsHooksModule {}
