import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import type { Pool } from 'pg';
import { READ_MODEL_POOL } from '@yilian/runtime';
import { RecognitionEligibility } from '@yilian/recognition';
import { CdsCardStore } from './cds-cards.store';
import { CdsCorsMiddleware } from './cds-cors.middleware';
import { CdsFeedbackDecisions } from './cds-feedback.decisions';
import { CDS_FEEDBACK_HANDLER } from './cds-feedback.port';
import { CdsHooksController } from './cds-hooks.controller';
import { CDS_ELIGIBILITY, CdsHooksService } from './cds-hooks.service';

/** The duplicate-test alert at ordering time as CDS Hooks 2.0 services (cds-hooks.controller.ts);
 * the cards it issued (`pa_cds_cards`, cds-cards.store.ts) and their feedback recorded as
 * recognition decisions (CDS_FEEDBACK_HANDLER → CdsFeedbackDecisions). */
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
    CdsCardStore,
    CdsFeedbackDecisions,
    { provide: CDS_FEEDBACK_HANDLER, useExisting: CdsFeedbackDecisions },
    CdsHooksService,
  ],
})
export class CdsHooksModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(CdsCorsMiddleware).forRoutes(CdsHooksController);
  }
}
