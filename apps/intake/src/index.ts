export * from './intake.module';
export { MllpIntakeService, type MllpOptions } from './hl7/mllp-intake.service';
export { LabResultsIntake } from './results/lab-results.intake';
export { type RunningIntake, startIntake } from './start-intake';
export { IntakeMetrics } from './metrics/intake-metrics';
