import { FhirHttpError } from '@yilian/runtime';
import { handlingOf, kickOffParams, MAX_PATIENTS, parametersOf, queryParams } from './bulk-export.params';

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof FhirHttpError)
      return [e.status, e.outcome.issue[0]?.code, e.outcome.issue[0]?.expression];
    throw e;
  }
  return 'accepted';
};

describe('Bulk Data kick-off parameters (IG v2.0.0 query parameters table)', () => {
  it('handling from Prefer', () => {
    expect(handlingOf('respond-async, handling=lenient')).toBe('lenient');
    expect(handlingOf('respond-async; handling="strict"')).toBe('strict');
    expect(handlingOf('respond-async')).toBeUndefined();
  });

  it('GET and POST (Parameters) give the same parameters', () => {
    const get = kickOffParams(
      queryParams({ _type: ['DiagnosticReport', 'Observation'], _since: '2026-12-01T00:00:00Z' }),
      'patient',
      undefined,
    );
    const post = kickOffParams(
      parametersOf({
        resourceType: 'Parameters',
        parameter: [
          { name: '_type', valueString: 'DiagnosticReport' },
          { name: '_type', valueString: 'Observation' },
          { name: '_since', valueInstant: '2026-12-01T00:00:00Z' },
          { name: 'patient', valueReference: { reference: 'Patient/pk_abcdefghijklmnopqrstuvwxyz' } },
        ],
      }),
      'patient',
      undefined,
    );
    expect(get).toEqual({
      type: ['DiagnosticReport', 'Observation'],
      since: new Date('2026-12-01T00:00:00Z'),
      ignored: [],
    });
    expect(post).toEqual({ ...get, patients: ['pk_abcdefghijklmnopqrstuvwxyz'] });
  });

  it("the IG's parameters the hub does not serve: 400 not-supported, ignored (and named) under handling=lenient", () => {
    for (const name of ['_elements', '_typeFilter', 'includeAssociatedData'])
      expect(refusal(() => kickOffParams([{ name, value: 'x' }], 'system', undefined))).toEqual([
        400,
        'not-supported',
        [name],
      ]);
    expect(kickOffParams([{ name: '_typeFilter', value: 'x' }], 'system', 'lenient').ignored).toEqual([
      '_typeFilter',
    ]);
    expect(
      refusal(() =>
        kickOffParams(
          [{ name: 'patient', value: 'Patient/pk_abcdefghijklmnopqrstuvwxyz' }],
          'system',
          undefined,
        ),
      ),
    ).toEqual([400, 'not-supported', ['patient']]);
  });

  it('a parameter outside the IG: ignored with a warning, 400 under handling=strict', () => {
    expect(kickOffParams([{ name: 'foo', value: 'x' }], 'system', undefined).ignored).toEqual(['foo']);
    expect(refusal(() => kickOffParams([{ name: 'foo', value: 'x' }], 'system', 'strict'))).toEqual([
      400,
      'not-supported',
      ['foo'],
    ]);
  });

  it('values: _outputFormat, _since an instant once, patient a hub key, Parameters well formed', () => {
    for (const f of ['application/fhir+ndjson', 'application/ndjson', 'ndjson'])
      expect(refusal(() => kickOffParams([{ name: '_outputFormat', value: f }], 'system', undefined))).toBe(
        'accepted',
      );
    expect(
      refusal(() => kickOffParams([{ name: '_outputFormat', value: 'text/csv' }], 'system', undefined)),
    ).toEqual([400, 'not-supported', ['_outputFormat']]);
    expect(
      refusal(() => kickOffParams([{ name: '_since', value: '2026-12-01T08:00:00' }], 'system', undefined)),
    ).toEqual([400, 'invalid', ['_since']]);
    expect(
      refusal(() =>
        kickOffParams(
          [
            { name: '_since', value: '2026-12-01' },
            { name: '_since', value: '2026-12-02' },
          ],
          'system',
          undefined,
        ),
      ),
    ).toEqual([400, 'invalid', ['_since']]);
    expect(
      refusal(() => kickOffParams([{ name: 'patient', value: 'Group/1' }], 'patient', undefined)),
    ).toEqual([400, 'invalid', ['patient']]);
    const many = Array.from({ length: MAX_PATIENTS + 1 }, () => ({
      name: 'patient',
      value: 'Patient/pk_abcdefghijklmnopqrstuvwxyz',
    }));
    expect(refusal(() => kickOffParams(many, 'patient', undefined))).toEqual([
      400,
      'too-costly',
      ['patient'],
    ]);
    expect(refusal(() => parametersOf({ resourceType: 'Bundle' }))).toEqual([
      400,
      'structure',
      ['Parameters'],
    ]);
    expect(
      refusal(() =>
        parametersOf({ resourceType: 'Parameters', parameter: [{ name: '_type', valueInteger: 1 }] }),
      ),
    ).toEqual([400, 'structure', ['Parameters.parameter[0]']]);
    expect(refusal(() => parametersOf(undefined))).toEqual([400, 'structure', ['Parameters']]);
  });
});
