/** The parameters that come with a file rather than in it (scope, effectiveFrom, source …),
 * checked the same way; a problem names the parameter and has no row. */
import { ITEM_CODE_PATTERN, INSTITUTION_CODE_PATTERN, SCOPE_CODE_PATTERN } from '@yilian/contracts';
import { day, text, yesNo, type Cell } from './cells';
import type { LoadProblem } from './load-problem';

export const scopeCodeCell: Cell<string> = text(
  'a scope code kind:id (e.g. province:42, alliance:demo-alliance)',
  {
    max: 80,
    pattern: SCOPE_CODE_PATTERN,
  },
);
export const itemCodeCell: Cell<string> = text('an item code (letters, digits, . _ -; up to 64)', {
  max: 64,
  pattern: ITEM_CODE_PATTERN,
});
export const institutionCell: Cell<string> = text('an institution code (letters, digits, . _ -; up to 64)', {
  max: 64,
  pattern: INSTITUTION_CODE_PATTERN,
});
export const sourceCell: Cell<string> = text(
  'the publishing document (e.g. 鄂卫通〔2023〕56号), up to 500 characters',
  { max: 500 },
);

export class ParameterReader {
  readonly problems: LoadProblem[] = [];

  take<T>(name: string, value: unknown, cell: Cell<T>, required: boolean): T | undefined {
    if (value === undefined || value === null || value === '') {
      if (required) this.problems.push({ column: name, message: 'required, missing' });
      return undefined;
    }
    const read = cell(typeof value === 'string' ? value.trim() : value);
    if ('wrong' in read) {
      this.problems.push({ column: name, message: read.wrong });
      return undefined;
    }
    return read.value;
  }
}

/** Scope, effective day and source of a catalogue change. */
export interface CatalogueContext {
  readonly scope: unknown;
  readonly effectiveFrom: unknown;
  readonly source: unknown;
  readonly sample?: unknown;
}

export function readCatalogueContext(context: CatalogueContext): {
  value?: { scope: string; effectiveFrom: string; source: string; sample: boolean };
  problems: LoadProblem[];
} {
  const p = new ParameterReader();
  const scope = p.take('scope', context.scope, scopeCodeCell, true);
  const effectiveFrom = p.take('effectiveFrom', context.effectiveFrom, day, true);
  const source = p.take('source', context.source, sourceCell, true);
  const sample = p.take('sample', context.sample, yesNo, false) ?? false;
  return scope && effectiveFrom && source && p.problems.length === 0
    ? { value: { scope, effectiveFrom, source, sample }, problems: [] }
    : { problems: p.problems };
}
