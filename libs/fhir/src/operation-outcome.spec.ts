import { allOk, conflict, httpStatusOf, notFound, operationOutcome, unsupported } from './operation-outcome';
import { issue } from './validation-issue';

describe('operationOutcome', () => {
  it('carries each issue with its path as expression and its message as diagnostics', () => {
    const outcome = operationOutcome([
      issue('error', 'required', 'Bundle.entry[2].resource.status', 'Missing required property'),
      issue(
        'warning',
        'invalid',
        'Bundle.entry[9].resource',
        'This Observation is not a result of the report',
      ),
    ]);
    expect(outcome).toEqual({
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code: 'required',
          diagnostics: 'Missing required property',
          expression: ['Bundle.entry[2].resource.status'],
        },
        {
          severity: 'warning',
          code: 'invalid',
          diagnostics: 'This Observation is not a result of the report',
          expression: ['Bundle.entry[9].resource'],
        },
      ],
    });
  });

  it('has no expression for an issue about the whole input', () => {
    const [first] = operationOutcome([issue('error', 'structure', '', 'not JSON')]).issue;
    expect(first).toEqual({ severity: 'error', code: 'structure', diagnostics: 'not JSON' });
  });

  it('says All OK when there is nothing to say (issue is 1..*)', () => {
    expect(operationOutcome([])).toEqual(allOk());
    expect(allOk().issue).toEqual([
      { severity: 'information', code: 'informational', diagnostics: 'All OK' },
    ]);
  });
});

describe('common answers and their HTTP status', () => {
  it('not found → 404', () => {
    const outcome = notFound('DiagnosticReport/lr-H0001-L1');
    expect(outcome.issue[0]).toMatchObject({
      code: 'not-found',
      diagnostics: 'DiagnosticReport/lr-H0001-L1 not found',
    });
    expect(httpStatusOf(outcome)).toBe(404);
  });

  it('conflict → 409, with the element when given', () => {
    const outcome = conflict('the report was corrected since', 'DiagnosticReport.status');
    expect(outcome.issue[0]).toMatchObject({ code: 'conflict', expression: ['DiagnosticReport.status'] });
    expect(httpStatusOf(outcome)).toBe(409);
  });

  it('not supported → 400', () => {
    expect(httpStatusOf(unsupported('batch Bundles are not accepted', 'Bundle.type'))).toBe(400);
  });

  it('422 when everything parses but breaks the rules, 400 when the structure is wrong, 200 on warnings', () => {
    const rules = operationOutcome([
      issue('error', 'code-invalid', 'Observation.status', 'bad code'),
      issue('error', 'invariant', 'Observation', 'obs-6'),
    ]);
    expect(httpStatusOf(rules)).toBe(422);
    const structure = operationOutcome([
      issue('error', 'invariant', 'Observation', 'obs-6'),
      issue('error', 'value', 'Observation.valueQuantity.value', 'not a number'),
    ]);
    expect(httpStatusOf(structure)).toBe(400);
    expect(httpStatusOf(operationOutcome([issue('warning', 'invalid', 'Observation', 'unreferenced')]))).toBe(
      200,
    );
  });
});
