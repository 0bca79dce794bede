/**
 * REF^I13 / I14 / I15 (modify, cancel, status query of a referral the sender placed with
 * REF^I12): what names the referral and, for a cancel, why. Modify's content is REF^I12's
 * (`mapRefI12`).
 *
 * | what                      | where                                                 |
 * | the sender's referral no. | RF1-6 (originating referral identifier), else RF1-11  |
 * | cancel reason (I14)       | NTE-3 of the last NTE, at most 500 characters         |
 *
 * An empty RF1-6 (and RF1-11), or no RF1, is 101 at RF1-6. Pure; never throws.
 */
import type { Hl7Message, Hl7Segment } from '@medplum/core';
import { HL7_ERROR, type Hl7Error } from '../hl7-error';
import { textComponent } from '../hl7-fields';

export type RefFamilyMapping =
  | { readonly ok: true; readonly sourceId: string; readonly cancelReason?: string }
  | { readonly ok: false; readonly errors: readonly Hl7Error[] };

/** RF1-6, else RF1-11: the sender's referral number ('' when neither is given). */
export function referralNumberOf(rf1: Hl7Segment): string {
  return textComponent(rf1, 6, 1) || textComponent(rf1, 11, 1);
}

export function mapRefFamily(message: Hl7Message): RefFamilyMapping {
  const rf1 = message.segments.find((s) => s.name === 'RF1');
  const sourceId = rf1 ? referralNumberOf(rf1) : '';
  if (!sourceId) {
    const message = 'RF1-6 (referral number) is empty';
    const at = { segment: 'RF1', sequence: 1, field: 6 };
    return { ok: false, errors: [{ ...at, code: HL7_ERROR.requiredFieldMissing, message }] };
  }
  const notes = message.segments.filter((s) => s.name === 'NTE');
  const last = notes[notes.length - 1];
  const reason = last ? textComponent(last, 3, 1).slice(0, 500) : '';
  return { ok: true, sourceId, ...(reason ? { cancelReason: reason } : {}) };
}
