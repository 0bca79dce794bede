import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { InstitutionDirectory } from '@yilian/config';
import { EVENT_STORE, type EventStore } from '@yilian/event-store';
import type { PatientKeyer } from '@yilian/patients';
import type { RecognitionEligibility } from '@yilian/recognition';
import type { SqlExecutor } from '@yilian/results';
import {
  INSTITUTIONS,
  LOGGER,
  type Logger,
  PATIENT_KEYER,
  READ_MODEL_POOL,
  RECOGNITION_ELIGIBILITY,
} from '@yilian/runtime';
import { MLLP_OPTIONS, type MllpOptions } from './hl7/mllp-intake.service';
import { INTAKE_METRICS, IntakeMetrics } from './metrics/intake-metrics';

export interface IntakeOptions {
  readonly store: EventStore;
  readonly institutions: InstitutionDirectory;
  readonly patientKeyer: PatientKeyer;
  readonly mllp: MllpOptions;
  readonly logger: Logger;
  /** Where the intake counts what it answers (default: a registry of its own). */
  readonly metrics?: IntakeMetrics;
  /** Recognition (eligibility over the read models): decisions (`POST /fhir/Task`) and the
   * order intake's duplicate-test flags. Without it, decisions answer 501 and orders get no flags. */
  readonly recognition?: RecognitionEligibility;
  /** The read models recognition reads: a decision is refused (403) unless the deciding
   * institution has a part in the patient's care there (`hasPartInCare`, as platform-api's
   * PatientAccess). Decisions need it and `recognition`; without either they answer 501. */
  readonly readModels?: SqlExecutor;
}

const TOKENS = [EVENT_STORE, INSTITUTIONS, PATIENT_KEYER, MLLP_OPTIONS, LOGGER, INTAKE_METRICS];

/** What every intake slice (results, referrals, …) is given: the store, the institutions'
 * credentials, the patient keyer, the logger. Global, so each slice module just injects. */
@Global()
@Module({})
export class IntakeCoreModule {
  static register(options: IntakeOptions): DynamicModule {
    return {
      module: IntakeCoreModule,
      providers: [
        { provide: EVENT_STORE, useValue: options.store },
        { provide: INSTITUTIONS, useValue: options.institutions },
        { provide: PATIENT_KEYER, useValue: options.patientKeyer },
        { provide: MLLP_OPTIONS, useValue: options.mllp },
        { provide: LOGGER, useValue: options.logger },
        { provide: INTAKE_METRICS, useValue: options.metrics ?? new IntakeMetrics() },
        ...(options.recognition ? [{ provide: RECOGNITION_ELIGIBILITY, useValue: options.recognition }] : []),
        ...(options.readModels ? [{ provide: READ_MODEL_POOL, useValue: options.readModels }] : []),
      ],
      exports: [
        ...TOKENS,
        ...(options.recognition ? [RECOGNITION_ELIGIBILITY] : []),
        ...(options.readModels ? [READ_MODEL_POOL] : []),
      ],
    };
  }
}
