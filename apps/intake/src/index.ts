export * from './http-setup';
export * from './intake.module';
export { MllpIntakeService } from './hl7/mllp-intake.service';
export { LabResultsIntake } from './results/lab-results.intake';
