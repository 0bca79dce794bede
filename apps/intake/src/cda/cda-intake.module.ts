import { Global, Module } from '@nestjs/common';
import { EMBEDDED_CDA_INTAKE } from '../imaging/embedded-cda.port';
import { CdaEmbeddedIntake } from './cda-embedded.intake';
import { CdaHttpController } from './cda-http.controller';
import { CdaIntake } from './cda-intake.service';

/** WS/T 500 CDA documents at the front door: `POST /cda`, and the CDA an MDM carries in an
 * OBX ED (the imaging HL7 intake asks `EMBEDDED_CDA_INTAKE`, provided here — global so that the
 * imaging module sees it without importing this one). */
@Global()
@Module({
  controllers: [CdaHttpController],
  providers: [CdaIntake, CdaEmbeddedIntake, { provide: EMBEDDED_CDA_INTAKE, useExisting: CdaEmbeddedIntake }],
  exports: [EMBEDDED_CDA_INTAKE],
})
export class CdaIntakeModule {}
