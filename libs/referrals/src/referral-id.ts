import { createHash } from 'node:crypto';
import { ID_PATTERN } from './contracts';

/**
 * The hub's id of a referral, from the sending institution and the sender's own referral
 * number (转诊单号: ServiceRequest.identifier, RF1-6): the same referral sent twice, over any
 * protocol, is the same id. Readable (`C002.ZZ-2026-001`) when that is a valid FHIR id, else a
 * hash. Never derived from anything about the patient.
 */
export function referralIdFor(sender: string, sourceId: string): string {
  const readable = `${sender}.${sourceId}`;
  if (ID_PATTERN.test(readable)) return readable;
  const digest = createHash('sha256').update(`${sender}\u001f${sourceId}`).digest('hex');
  return `ref-${digest.slice(0, 40)}`;
}
