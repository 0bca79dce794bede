/**
 * The hook for a CDA document inside an MDM (OBX of type ED, base64; `embeddedCdaOf` in
 * @yilian/hl7v2): the WS/T 500 CDA intake (libs/cda, helper `cda`) provides
 * `EMBEDDED_CDA_INTAKE` in ImagingIntakeModule; the MLLP handler then hands every MDM that
 * carries one to it, with the message for the answer's context, and answers with what it
 * returns (AA only after its durable append; AE with ERR at `doc.at` or the XPath of the fault).
 * Without a provider, such an MDM goes the imaging document way (TXA-2 must be DI).
 */
import type { EmbeddedCda, Hl7Error, Hl7Message, IntakeOutcome } from '@yilian/hl7v2';

export interface EmbeddedCdaContext {
  /** The sender (from its MLLP port or API key). */
  readonly institution: string;
  /** MSH-10, for idempotent intake. */
  readonly controlId: string;
  readonly message: Hl7Message;
  readonly now: Date;
}

export interface EmbeddedCdaIntake {
  record(doc: EmbeddedCda, ctx: EmbeddedCdaContext): Promise<{ outcome: IntakeOutcome; errors: Hl7Error[] }>;
}

export const EMBEDDED_CDA_INTAKE = Symbol('EMBEDDED_CDA_INTAKE');
