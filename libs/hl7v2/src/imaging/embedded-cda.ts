/**
 * A CDA document inside an MDM (WS/T 500 examination / lab reports sent as HL7 v2): an OBX of
 * type ED whose OBX-5 is `source ^ type of data ^ data subtype ^ encoding ^ data` (HL7 ED), with
 * type TEXT / application / multipart, encoding Base64 (or A, plain text) and data a CDA R2
 * `ClinicalDocument`. `embeddedCdaOf` finds it; the intake hands it to the CDA intake when one
 * is registered (`EMBEDDED_CDA_INTAKE`, apps/intake/src/imaging/embedded-cda.port.ts), else the
 * MDM goes the imaging document way (TXA-2 must be DI). Pure, never throws.
 */
import type { Hl7Message } from '@medplum/core';
import type { Hl7Location } from '../hl7-error';
import { rawComponent, textComponent } from '../hl7-fields';

export interface EmbeddedCda {
  /** The CDA document's XML text (decoded). */
  readonly xml: string;
  /** Where it was: OBX^n^5 (errors about the document point there, or at an XPath). */
  readonly at: Hl7Location;
  /** TXA-2 (document type) as sent, e.g. DI, CN, LAB; '' without TXA. */
  readonly documentType: string;
  /** TXA-12 (unique document number), '' when none. */
  readonly documentNumber: string;
}

const CDA = /<(?:[\w-]+:)?ClinicalDocument[\s>]/;

function decode(encoding: string, data: string, text: string): string | undefined {
  const e = encoding.toUpperCase();
  if (e === 'BASE64') {
    const compact = data.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
    return Buffer.from(compact, 'base64').toString('utf8');
  }
  if (e === 'A' || e === '') return text; // plain text: HL7 escapes decoded
  if (e === 'HEX') return /^[0-9A-Fa-f]*$/.test(data) ? Buffer.from(data, 'hex').toString('utf8') : undefined;
  return undefined;
}

/** The first ED OBX of an MDM that holds a CDA document, or undefined. */
export function embeddedCdaOf(message: Hl7Message): EmbeddedCda | undefined {
  const txa = message.segments.find((s) => s.name === 'TXA');
  let sequence = 0;
  for (const segment of message.segments) {
    if (segment.name !== 'OBX') continue;
    sequence++;
    if (textComponent(segment, 2, 1).toUpperCase() !== 'ED') continue;
    const xml = decode(
      textComponent(segment, 5, 4),
      rawComponent(segment, 5, 5),
      textComponent(segment, 5, 5),
    );
    if (!xml || !CDA.test(xml)) continue;
    return {
      xml,
      at: { segment: 'OBX', sequence, field: 5 },
      documentType: txa ? textComponent(txa, 2, 1).toUpperCase() : '',
      documentNumber: txa ? textComponent(txa, 12, 1) : '',
    };
  }
  return undefined;
}
