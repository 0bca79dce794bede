import { Module } from '@nestjs/common';
import { ImagingFhirReadController } from './imaging-fhir-read.controller';
import { ImagingReadRepository } from './imaging-read.repository';

/** The read side of imaging: FHIR ImagingStudy. Imaging reports are served as DiagnosticReport
 * by the results slice, from the same read model as lab reports. */
@Module({
  controllers: [ImagingFhirReadController],
  providers: [ImagingReadRepository],
})
export class ImagingReadModule {}
