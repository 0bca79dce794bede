import { type DynamicModule, Module } from '@nestjs/common';
import { AllianceIntakeModule } from './alliance/alliance-intake.module';
import { FhirIntakeController } from './fhir/fhir-intake.controller';
import { FHIR_WRITE_SLICES } from './fhir/fhir-write';
import { LabFhirWrites } from './fhir/lab-fhir.writes';
import { ImagingFhirWrites } from './imaging/imaging-fhir.writes';
import { ReferralFhirWrites } from './referrals/referral-fhir.writes';
import { Hl7HttpController } from './hl7/hl7-http.controller';
import { Hl7MessageHandler } from './hl7/hl7-message.handler';
import { MllpIntakeService } from './hl7/mllp-intake.service';
import { IntakeCoreModule, type IntakeOptions } from './intake-core.module';
import { LabResultsIntake } from './results/lab-results.intake';
import { PatientsFhirController } from './patients/patients-fhir.controller';
import { PatientsIntakeModule } from './patients/patients-intake.module';
import { ReferralsIntakeModule } from './referrals/referrals-intake.module';
import { ImagingIntakeModule } from './imaging/imaging-intake.module';
import { CdaIntakeModule } from './cda/cda-intake.module';
import { RecognitionIntakeModule } from './recognition/recognition-intake.module';
import { DUPLICATE_TEST_CHECK, NO_DUPLICATE_CHECK } from './orders/duplicate-test.port';
import { OrderHl7Intake } from './orders/order-hl7.intake';
import { RecognitionDecisionFhirWrites } from './recognition-decisions/recognition-decision.fhir-writes';
import { recognitionDuplicateTestCheck } from './recognition-decisions/recognition-duplicate-check';
import type { RecognitionEligibility } from '@yilian/recognition';
import { RECOGNITION_ELIGIBILITY } from '@yilian/runtime';

export type { IntakeOptions } from './intake-core.module';

/** The front door for member systems: FHIR R4 writes over HTTP and HL7 v2 over MLLP. Each
 * domain slice is a module of its own, imported here. */
@Module({})
export class IntakeModule {
  static register(options: IntakeOptions): DynamicModule {
    return {
      module: IntakeModule,
      imports: [
        IntakeCoreModule.register(options),
        PatientsIntakeModule,
        ReferralsIntakeModule,
        AllianceIntakeModule,
        ImagingIntakeModule,
        CdaIntakeModule,
        RecognitionIntakeModule,
      ],
      // PatientsFhirController first: FhirIntakeController's POST /fhir/:type would take /fhir/Patient.
      controllers: [PatientsFhirController, FhirIntakeController, Hl7HttpController],
      providers: [
        LabResultsIntake,
        OrderHl7Intake,
        // recognition's duplicate-test check when it is wired in; else no flags
        {
          provide: DUPLICATE_TEST_CHECK,
          useFactory: (recognition?: RecognitionEligibility) =>
            recognition ? recognitionDuplicateTestCheck(recognition) : NO_DUPLICATE_CHECK,
          inject: [{ token: RECOGNITION_ELIGIBILITY, optional: true }],
        },
        RecognitionDecisionFhirWrites,
        Hl7MessageHandler,
        MllpIntakeService,
        LabFhirWrites,
        {
          // the order the /fhir dispatcher asks them in: lab results take what the others leave
          provide: FHIR_WRITE_SLICES,
          useFactory: (
            decisions: RecognitionDecisionFhirWrites,
            imaging: ImagingFhirWrites,
            referrals: ReferralFhirWrites,
            lab: LabFhirWrites,
          ) => [decisions, imaging, referrals, lab],
          inject: [RecognitionDecisionFhirWrites, ImagingFhirWrites, ReferralFhirWrites, LabFhirWrites],
        },
      ],
      exports: [MllpIntakeService, LabResultsIntake],
    };
  }
}
