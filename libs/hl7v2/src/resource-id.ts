/**
 * Resource ids derived from what identifies the thing at the sender, so that the same message
 * mapped twice gives the same resources (idempotent intake, content-derived event ids) and a
 * corrected report keeps the ids of the report and observations it corrects.
 *
 * The id is a name-based UUID in the version-5 layout (SHA-1 of a fixed prefix and the name,
 * version and variant bits set): a valid FHIR id that says nothing about the patient.
 * One-shot `crypto.hash` (Node ≥ 20.12): a fraction of a microsecond, where createHash costs
 * several on a busy host.
 */
import { hash } from 'node:crypto';

/** Fixed forever: changing it would change every id the hub ever derived. */
const PREFIX = 'urn:yilian:id:6f0d9d3a-5f2b-4c1e-9a7e-2c8b1d4f6a30|';
const VARIANT = '89ab';

export function nameBasedUuid(name: string): string {
  const hex = hash('sha1', PREFIX + name, 'hex');
  const variant = VARIANT[parseInt(hex.charAt(16), 16) & 3]!;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
