import { Module } from '@nestjs/common';
import { ImagingFhirWrites } from './imaging-fhir.writes';
import { ImagingHl7Intake } from './imaging-hl7.intake';
import { ImagingIntake } from './imaging-intake.service';

/** Imaging (检查) at the front door: FHIR (ImagingStudy, DiagnosticReport with imagingStudy —
 * the `/fhir` dispatcher hands those writes to ImagingFhirWrites) and HL7 v2 (through the MLLP
 * handler, which hands imaging messages to ImagingHl7Intake). */
@Module({
  providers: [ImagingIntake, ImagingHl7Intake, ImagingFhirWrites],
  exports: [ImagingHl7Intake, ImagingFhirWrites],
})
export class ImagingIntakeModule {}
