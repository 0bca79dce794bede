import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const DIR = join(__dirname, 'fixtures');

/** A fresh copy of a fixture (`r4/observation-example.json`), safe to mutate. */
export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(join(DIR, name), 'utf8')) as T;
}

/** The official FHIR R4 examples under fixtures/r4. */
export function officialExamples(): string[] {
  return readdirSync(join(DIR, 'r4'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => `r4/${f}`);
}
