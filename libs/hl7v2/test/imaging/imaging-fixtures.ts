import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type * as fhir4 from 'fhir/r4';
import { type ImagingDraft, mapImagingMessage } from '../../src';

const DIR = join(__dirname, '..', 'fixtures', 'imaging');

/** Imaging fixtures are kept with LF line ends; on the wire segments end with CR. */
export function imagingFixture(name: string): string {
  return readFileSync(join(DIR, name), 'utf8').replace(/\r?\n/g, '\r');
}

/** Imaging orders from a PACS (OMI^O23, ORM^O01 with IPC / ZDS): orders, not imaging results. */
export const IMAGING_ORDER_FIXTURES: readonly string[] = [
  'cn-pacs-omi-ct-v251.hl7',
  'cn-pacs-orm-cancel-v23.hl7',
  'cn-pacs-orm-dr-v23.hl7',
];

/** The imaging results and documents (ORU^R01, MDM). */
export function imagingFixtureNames(): string[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.hl7') && !IMAGING_ORDER_FIXTURES.includes(f))
    .sort();
}

/** Maps a fixture as `institution` sent it; fails the test with the errors otherwise. */
export function mappedImaging(name: string, institution: string) {
  const result = mapImagingMessage(imagingFixture(name), { institution });
  if (!result.ok) throw new Error(`${name} did not map: ${JSON.stringify(result.errors)}`);
  return result;
}

export function onlyDraft(name: string, institution: string): ImagingDraft {
  const { drafts } = mappedImaging(name, institution);
  expect(drafts).toHaveLength(1);
  return drafts[0]!;
}

export function decodedText(attachment: fhir4.Attachment | undefined): string {
  return Buffer.from(attachment?.data ?? '', 'base64').toString('utf8');
}

/** The contained resource with `id` of a study. */
export function containedOf<T extends fhir4.Resource>(
  study: { contained?: fhir4.Resource[] },
  id: string,
): T {
  const found = study.contained?.find((r) => r.id === id);
  if (!found) throw new Error(`no contained #${id}`);
  return found as T;
}
