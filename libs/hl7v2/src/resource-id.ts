/**
 * Resource ids derived from what identifies the thing at the sender, so that the same message
 * mapped twice gives the same resources (idempotent intake, content-derived event ids) and a
 * corrected report keeps the ids of the report and observations it corrects.
 *
 * The id is a name-based UUID (RFC 9562 version 5: SHA-1 over a fixed namespace and the name)
 * — a valid FHIR id that says nothing about the patient.
 */
import { createHash } from 'node:crypto';

/** Namespace of the hub's name-based UUIDs (itself a random UUID, fixed forever). */
const YILIAN_NAMESPACE = Buffer.from('6f0d9d3a5f2b4c1e9a7e2c8b1d4f6a30', 'hex');

export function nameBasedUuid(name: string): string {
  const hash = createHash('sha1').update(YILIAN_NAMESPACE).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
