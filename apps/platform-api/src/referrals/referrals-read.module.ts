import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { AlliancesReadController } from './alliances-read.controller';
import { ReferralBoardController } from './referral-board.controller';
import { ReferralFhirReadController } from './referral-fhir-read.controller';
import { ReferralFhirReadRepository } from './referral-fhir-read.repository';
import { ReferralFhirReadRouting } from './referral-fhir.routing';
import { ReferralIndicatorsController } from './referral-indicators.controller';
import { ReferralIndicatorsService } from './referral-indicators.service';

/** The read side of two-way referral: FHIR ServiceRequest / Task, the board, the indicators,
 * and the alliances. */
@Module({
  controllers: [
    ReferralFhirReadController,
    ReferralBoardController,
    ReferralIndicatorsController,
    AlliancesReadController,
  ],
  providers: [ReferralFhirReadRepository, ReferralIndicatorsService],
})
export class ReferralsReadModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(ReferralFhirReadRouting).forRoutes({ path: 'fhir/*path', method: RequestMethod.GET });
  }
}
