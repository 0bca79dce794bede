import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DECLINE_REASON_KEYS,
  DECLINE_REASONS,
  DECLINE_REASON_SYSTEM,
  declineReason,
} from './decline-reasons';

// The decline reasons are data (the ValueSet): the decider, the FHIR Task, the CDS cards and the
// console's form must all offer exactly its codes, national ones first.
describe('decline reasons', () => {
  it('the ValueSet expands to the national list then the local additions, each with a display', () => {
    expect(DECLINE_REASONS.map((r) => r.code)).toEqual([
      'illness-changed',
      'value-changes-fast',
      'major-intervention',
      'emergency',
      'forensic-assessment',
      'other-need',
      'patient-request',
      'eqa-failed',
      'too-old',
      'physician-judgement',
    ]);
    expect(DECLINE_REASONS.every((r) => r.system === DECLINE_REASON_SYSTEM && r.display.length > 0)).toBe(
      true,
    );
    expect(DECLINE_REASON_KEYS.has(`${DECLINE_REASON_SYSTEM}|emergency`)).toBe(true);
    expect(declineReason('because')).toBeUndefined();
  });

  it("the console's decline form offers the ValueSet's codes, in its order", () => {
    const form = readFileSync(
      join(__dirname, '../../../../apps/console/src/pages/decision-form.tsx'),
      'utf8',
    );
    const list = /DECLINE_REASONS = \[([^\]]*)\]/.exec(form)![1]!;
    expect([...list.matchAll(/'([a-z-]+)'/g)].map((m) => m[1])).toEqual(DECLINE_REASONS.map((r) => r.code));
  });
});
