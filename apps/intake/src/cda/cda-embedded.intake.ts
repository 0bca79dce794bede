import { Injectable } from '@nestjs/common';
import { type CdaFault, describeFault } from '@yilian/cda';
import { type EmbeddedCda, HL7_ERROR, type Hl7Error } from '@yilian/hl7v2';
import type { EmbeddedCdaContext, EmbeddedCdaIntake } from '../imaging/embedded-cda.port';
import { CdaIntake } from './cda-intake.service';

const CODES: Readonly<Record<CdaFault['code'], number>> = {
  required: HL7_ERROR.requiredFieldMissing,
  value: HL7_ERROR.dataType,
  'code-invalid': HL7_ERROR.tableValueNotFound,
  structure: HL7_ERROR.dataType,
  'not-supported': HL7_ERROR.dataType,
};

/**
 * A CDA document inside an MDM (OBX of type ED), handed over by the MLLP / HTTP HL7 handler
 * (`EMBEDDED_CDA_INTAKE`): recorded exactly as `POST /cda` records it. A bad document is AE with
 * one ERR per fault at the OBX-5 that carried it, ERR-8 naming the XPath; nothing is appended.
 */
@Injectable()
export class CdaEmbeddedIntake implements EmbeddedCdaIntake {
  constructor(private readonly cda: CdaIntake) {}

  async record(doc: EmbeddedCda, ctx: EmbeddedCdaContext) {
    const outcome = await this.cda.record({ xml: doc.xml, institution: ctx.institution, now: ctx.now });
    if (outcome.ok) return { outcome: 'accepted' as const, errors: [] };
    const at = { ...doc.at };
    if (outcome.kind === 'not-xml') {
      const message = `OBX-5 holds no well-formed CDA document: ${outcome.message}`;
      return { outcome: 'content-error' as const, errors: [{ ...at, code: HL7_ERROR.dataType, message }] };
    }
    if (outcome.kind === 'conflict') {
      const error: Hl7Error = { ...at, code: HL7_ERROR.applicationInternal, message: outcome.message };
      return { outcome: 'internal-error' as const, errors: [error] };
    }
    const errors = outcome.faults.map((f): Hl7Error => ({
      ...at,
      code: CODES[f.code],
      message: describeFault(f),
    }));
    return { outcome: 'content-error' as const, errors };
  }
}
