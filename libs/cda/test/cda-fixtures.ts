import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type CdaFixture =
  'lab-biochemistry-panel' | 'lab-complete-blood-count' | 'exam-chest-ct' | 'exam-abdominal-ultrasound';

/** A fixture document's text (libs/cda/test/fixtures). */
export function cdaFixture(name: CdaFixture): string {
  return readFileSync(join(__dirname, 'fixtures', `${name}.xml`), 'utf8');
}
