import { type DynamicModule, Module } from '@nestjs/common';
import type { InstitutionDirectory } from '@yilian/config';
import { EVENT_STORE, type EventStore } from '@yilian/event-store';
import type { PatientKeyer } from '@yilian/patients';
import { INSTITUTIONS, LOGGER, type Logger, PATIENT_KEYER } from '@yilian/runtime';
import { FhirIntakeController } from './fhir/fhir-intake.controller';
import { MLLP_OPTIONS, type MllpOptions, MllpIntakeService } from './hl7/mllp-intake.service';
import { Hl7MessageHandler } from './hl7/hl7-message.handler';
import { LabResultsIntake } from './results/lab-results.intake';

export interface IntakeOptions {
  readonly store: EventStore;
  readonly institutions: InstitutionDirectory;
  readonly patientKeyer: PatientKeyer;
  readonly mllp: MllpOptions;
  readonly logger: Logger;
}

/** The front door for member systems: FHIR R4 writes over HTTP and HL7 v2 over MLLP. */
@Module({})
export class IntakeModule {
  static register(options: IntakeOptions): DynamicModule {
    return {
      module: IntakeModule,
      controllers: [FhirIntakeController],
      providers: [
        { provide: EVENT_STORE, useValue: options.store },
        { provide: INSTITUTIONS, useValue: options.institutions },
        { provide: PATIENT_KEYER, useValue: options.patientKeyer },
        { provide: MLLP_OPTIONS, useValue: options.mllp },
        { provide: LOGGER, useValue: options.logger },
        LabResultsIntake,
        Hl7MessageHandler,
        MllpIntakeService,
      ],
      exports: [MllpIntakeService, LabResultsIntake],
    };
  }
}
