import { Module } from '@nestjs/common';
import { AlliancesReadController } from './alliances-read.controller';
import { ReferralBoardController } from './referral-board.controller';
import { ReferralBoardService } from './referral-board.service';
import { ReferralFhirReadController } from './referral-fhir-read.controller';
import { ReferralFhirReadRepository } from './referral-fhir-read.repository';
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
  providers: [ReferralFhirReadRepository, ReferralIndicatorsService, ReferralBoardService],
  exports: [ReferralFhirReadRepository, ReferralIndicatorsService, ReferralBoardService],
})
export class ReferralsReadModule {}
