import { Module } from '@nestjs/common';
import { AllianceIntakeModule } from '../alliance/alliance-intake.module';
import { RefFamilyIntake } from './ref-family.intake';
import { RefI12Intake } from './ref-i12.intake';
import { ReferralActionsController } from './referral-actions.controller';
import { ReferralFhirIntake } from './referral-fhir.intake';
import { ReferralFhirWrites } from './referral-fhir.writes';
import { ReferralIntake } from './referral-intake.service';

/** Two-way referral at the front door: FHIR (ServiceRequest + Task — the `/fhir` dispatcher hands
 * those writes to ReferralFhirWrites), HL7 v2 REF^I12 – I15 (through the MLLP handler, which delegates
 * to RefI12Intake) and the console's JSON actions. */
@Module({
  imports: [AllianceIntakeModule],
  controllers: [ReferralActionsController],
  providers: [ReferralIntake, ReferralFhirIntake, RefI12Intake, RefFamilyIntake, ReferralFhirWrites],
  exports: [RefI12Intake, RefFamilyIntake, ReferralFhirWrites],
})
export class ReferralsIntakeModule {}
