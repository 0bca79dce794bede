import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LabMappingContext, LabReportDraft } from '../src';
import { mapOruR01Lab } from '../src';

const DIR = join(__dirname, 'fixtures');

/** Fixture files are kept with LF line ends; on the wire segments end with CR. */
export function fixture(name: string): string {
  return readFileSync(join(DIR, name), 'utf8').replace(/\r?\n/g, '\r');
}

export function fixtureNames(): string[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.hl7'))
    .sort();
}

export const CTX: LabMappingContext = { institution: 'bjsyyy', receivedAt: '2024-03-15T02:31:00.000Z' };

/** Maps a fixture that must map; fails the test with the errors otherwise. */
export function mapped(name: string, ctx: LabMappingContext = CTX) {
  const result = mapOruR01Lab(fixture(name), ctx);
  if (!result.ok) throw new Error(`${name} did not map: ${JSON.stringify(result.errors)}`);
  return result;
}

export function observationByCode(draft: LabReportDraft, code: string) {
  const found = draft.observations.find((o) => o.code.coding?.some((c) => c.code === code));
  if (!found) throw new Error(`no observation coded ${code}`);
  return found;
}

/** Replaces one segment line (the nth with that id, 1-based) of a message. */
export function withSegment(
  text: string,
  id: string,
  n: number,
  replace: (line: string) => string | null,
): string {
  let seen = 0;
  return text
    .split('\r')
    .map((line) => (line.startsWith(`${id}|`) && ++seen === n ? replace(line) : line))
    .filter((line): line is string => line !== null)
    .join('\r');
}

/** Sets field `field` (1-based) of a segment line. */
export function setField(line: string, field: number, value: string): string {
  const parts = line.split('|');
  const index = line.startsWith('MSH|') ? field - 1 : field;
  while (parts.length <= index) parts.push('');
  parts[index] = value;
  return parts.join('|');
}
