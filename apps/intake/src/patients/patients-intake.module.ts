import { Module } from '@nestjs/common';
import { PatientAdtIntake } from './patient-adt.intake';
import { PatientIdentityService } from './patient-identity.service';

/** Cross-institution patient identity at the front door: the identity service (used by lab
 * results too) and the HL7 v2 ADT intake. Its FHIR controller, PatientsFhirController, is
 * declared by IntakeModule ahead of the generic `POST /fhir/:type` route, which would
 * otherwise take `POST /fhir/Patient`. The store, keyer and logger come from IntakeCoreModule. */
@Module({
  providers: [PatientIdentityService, PatientAdtIntake],
  exports: [PatientIdentityService, PatientAdtIntake],
})
export class PatientsIntakeModule {}
