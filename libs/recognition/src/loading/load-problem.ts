/**
 * What is wrong with a rules file, as a spreadsheet user can find it: the row (CSV: the header
 * is row 1, the first item row 2; JSON: the n-th element of the list, from 1), the column (CSV
 * header / JSON key) and what is wrong. A problem of the whole file or of a parameter (scope,
 * effectiveFrom, source) has no row.
 */
export interface LoadProblem {
  readonly row?: number;
  readonly column?: string;
  readonly message: string;
}

/** Parsed and checked, or every problem found; never half of each. */
export type Loaded<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problems: readonly LoadProblem[] };

/** At most this many problems are listed; the last one says how many more there were. */
export const MAX_PROBLEMS = 5000;

/** `row 7, column validityDays: expected …` */
export function formatProblem(p: LoadProblem): string {
  const where = [
    p.row !== undefined ? `row ${p.row}` : undefined,
    p.column !== undefined ? `column ${p.column}` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  return where ? `${where}: ${p.message}` : p.message;
}

export function loaded<T>(value: T, problems: readonly LoadProblem[]): Loaded<T> {
  return problems.length === 0 ? { ok: true, value } : rejected(problems);
}

/** Every problem, in row order (parameters and whole-file problems first), capped. */
export function rejected<T>(problems: readonly LoadProblem[]): Loaded<T> {
  const sorted = [...problems].sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
  if (sorted.length <= MAX_PROBLEMS) return { ok: false, problems: sorted };
  return {
    ok: false,
    problems: [
      ...sorted.slice(0, MAX_PROBLEMS),
      {
        message: `… and ${sorted.length - MAX_PROBLEMS} more problems (only the first ${MAX_PROBLEMS} are listed)`,
      },
    ],
  };
}
