import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { AllianceIntakeModule } from '../alliance/alliance-intake.module';
import { RefI12Intake } from './ref-i12.intake';
import { ReferralActionsController } from './referral-actions.controller';
import { ReferralFhirIntake } from './referral-fhir.intake';
import { ReferralFhirRouting } from './referral-fhir.routing';
import { ReferralIntake } from './referral-intake.service';
import { ReferralsFhirController } from './referrals-fhir.controller';

/** Two-way referral at the front door: FHIR (ServiceRequest + Task), HL7 v2 REF^I12 (through
 * the MLLP handler, which delegates to RefI12Intake) and the console's JSON actions. */
@Module({
  imports: [AllianceIntakeModule],
  controllers: [ReferralsFhirController, ReferralActionsController],
  providers: [ReferralIntake, ReferralFhirIntake, RefI12Intake],
  exports: [RefI12Intake],
})
export class ReferralsIntakeModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(ReferralFhirRouting)
      .forRoutes(
        { path: 'fhir', method: RequestMethod.POST },
        { path: 'fhir/*path', method: RequestMethod.ALL },
      );
  }
}
