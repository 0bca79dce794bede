import { FhirHttpError } from '@yilian/runtime';

/** For the specs: the status, attribute and reason of the FhirHttpError `f` throws. */
export function refusal(f: () => unknown): { status: number; path?: string; reason: string } {
  try {
    f();
  } catch (e) {
    if (!(e instanceof FhirHttpError)) throw e;
    const issue = e.outcome.issue[0]!;
    return {
      status: e.status,
      ...(issue.expression ? { path: issue.expression[0] } : {}),
      reason: issue.diagnostics ?? '',
    };
  }
  throw new Error('expected a refusal');
}
