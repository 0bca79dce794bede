import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { ImagingFhirController } from './imaging-fhir.controller';
import { ImagingFhirRouting } from './imaging-fhir.routing';
import { ImagingHl7Intake } from './imaging-hl7.intake';
import { ImagingIntake } from './imaging-intake.service';

/** Imaging (检查) at the front door: FHIR (ImagingStudy, DiagnosticReport with imagingStudy)
 * and HL7 v2 (through the MLLP handler, which hands imaging messages to ImagingHl7Intake). */
@Module({
  controllers: [ImagingFhirController],
  providers: [ImagingIntake, ImagingHl7Intake],
  exports: [ImagingHl7Intake],
})
export class ImagingIntakeModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(ImagingFhirRouting)
      .forRoutes(
        { path: 'fhir', method: RequestMethod.POST },
        { path: 'fhir/*path', method: RequestMethod.POST },
      );
  }
}
