import { fixture } from '../test/fixtures';
import { loadR4Definitions } from './r4-definitions';
import { parseLabReport, type LabReportContent, type LabReportParse } from './transaction-bundle';
import type { ValidationIssue } from './validation-issue';

// Fixtures are broken on purpose, anywhere: typed as loosely as JSON is.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const bundle = (): Json => fixture<Json>('lab/cbc-transaction.json');

function content(parse: LabReportParse): LabReportContent {
  if (!parse.ok) throw new Error(`expected ok, got ${JSON.stringify(parse.issues, null, 1)}`);
  return parse.content;
}

function problems(parse: LabReportParse): Pick<ValidationIssue, 'severity' | 'code' | 'path'>[] {
  if (parse.ok) throw new Error('expected the submission to be refused');
  return parse.issues.map(({ severity, code, path }) => ({ severity, code, path }));
}

beforeAll(() => loadR4Definitions());

describe('a transaction Bundle', () => {
  it('gives the report, its 15 Observations in result order, the Specimen and the Patient, as sent', () => {
    const sent = bundle();
    const parse = parseLabReport(sent);
    const c = content(parse);
    expect(parse.ok && parse.warnings).toEqual([]);
    expect(c.report).toEqual(sent.entry[2].resource);
    expect(c.observations).toHaveLength(15);
    expect(c.observations.map((o) => o.code.coding?.[1]?.code)).toEqual(
      sent.entry.slice(3).map((e: Json) => e.resource.code.coding[1].code),
    );
    expect(c.observations[7]).toEqual(sent.entry[10].resource); // PLT, codes as sent
    expect(c.specimens).toEqual([sent.entry[1].resource]);
    expect(c.patient).toEqual(sent.entry[0].resource);
    expect(c.resolved.get(sent.entry[2].resource.result[3].reference)).toBe(c.observations[3]);
    expect(c.paths).toMatchObject({
      report: 'Bundle.entry[2].resource',
      patient: 'Bundle.entry[0].resource',
    });
    expect(c.paths.observations[14]).toBe('Bundle.entry[17].resource');
  });

  it('orders Observations by report.result, whatever the entry order', () => {
    const b = bundle();
    const [hgb] = b.entry.splice(5, 1);
    b.entry.push(hgb);
    b.entry[2].resource.result.reverse();
    const c = content(parseLabReport(b));
    expect(c.observations[0]!.code.coding?.[1]?.code).toBe('BASO%');
    expect(c.observations[14]!.code.coding?.[1]?.code).toBe('WBC');
  });

  it('follows panel members: result → hasMember', () => {
    const b = bundle();
    const results = b.entry[2].resource.result;
    b.entry[3].resource.hasMember = results.slice(1).reverse();
    b.entry[2].resource.result = results.slice(0, 1);
    const parse = parseLabReport(b);
    expect(
      content(parse)
        .observations.map((o) => o.code.coding?.[1]?.code)
        .slice(0, 3),
    ).toEqual(['WBC', 'BASO%', 'EO%']);
    expect(parse.ok && parse.warnings).toEqual([]);
  });

  it('accepts a conditional update on an identifier', () => {
    const b = bundle();
    b.entry[2].request = {
      method: 'PUT',
      url: 'DiagnosticReport?identifier=urn:yilian:institution:H0001:lab-report|L240318-0421',
    };
    expect(parseLabReport(b).ok).toBe(true);
  });

  it('refuses other methods, wrong urls and identifier searches the resource does not match', () => {
    const b = bundle();
    b.entry[3].request.method = 'DELETE';
    b.entry[4].request.url = 'Observation/123';
    b.entry[5].request = { method: 'PUT', url: 'Observation/123' };
    b.entry[2].request.ifNoneExist = 'identifier=urn:yilian:institution:H0001:lab-report|OTHER';
    b.entry[0].request.ifNoneExist = 'name=王芳';
    expect(problems(parseLabReport(b))).toEqual([
      { severity: 'error', code: 'not-supported', path: 'Bundle.entry[0].request.ifNoneExist' },
      { severity: 'error', code: 'invalid', path: 'Bundle.entry[2].request.ifNoneExist' },
      { severity: 'error', code: 'not-supported', path: 'Bundle.entry[3].request.method' },
      { severity: 'error', code: 'invalid', path: 'Bundle.entry[4].request.url' },
      { severity: 'error', code: 'not-supported', path: 'Bundle.entry[5].request.url' },
    ]);
  });

  it('refuses what is not a single report about a single patient', () => {
    const b = bundle();
    b.entry.push({ ...b.entry[2], fullUrl: 'urn:uuid:0c5d7d3e-0000-4000-8000-000000000001' });
    b.entry.push({
      resource: { resourceType: 'Practitioner' },
      request: { method: 'POST', url: 'Practitioner' },
    });
    b.entry[9].resource.subject = { reference: 'Patient/someone-else' };
    expect(problems(parseLabReport(b))).toEqual([
      { severity: 'error', code: 'not-supported', path: 'Bundle.entry[19].resource.resourceType' },
      { severity: 'error', code: 'not-supported', path: 'Bundle.entry[18].resource' },
      { severity: 'error', code: 'conflict', path: 'Bundle.entry[9].resource.subject' },
    ]);
  });

  it('refuses references that name no entry and results that are not sent', () => {
    const b = bundle();
    b.entry[6].resource.specimen.reference = 'urn:uuid:0c5d7d3e-0000-4000-8000-00000000dead';
    b.entry[2].resource.result.push({ reference: 'Observation/elsewhere' });
    expect(problems(parseLabReport(b))).toEqual([
      { severity: 'error', code: 'not-found', path: 'Bundle.entry[6].resource.specimen' },
      { severity: 'error', code: 'not-found', path: 'Bundle.entry[2].resource.result[15]' },
    ]);
  });

  it('refuses a fullUrl used twice: it names the first entry', () => {
    const b = bundle();
    const lost = b.entry[8].fullUrl;
    b.entry[8].fullUrl = b.entry[7].fullUrl;
    const parse = parseLabReport(b);
    expect(problems(parse)).toEqual([
      { severity: 'error', code: 'invariant', path: 'Bundle' }, // bdl-7
      { severity: 'error', code: 'duplicate', path: 'Bundle.entry[8].fullUrl' },
      { severity: 'error', code: 'not-found', path: 'Bundle.entry[2].resource.result[5]' },
      { severity: 'warning', code: 'invalid', path: 'Bundle.entry[8].resource' },
    ]);
    expect(!parse.ok && parse.issues[2]!.message).toBe(
      `${lost} is not the fullUrl of any entry of this Bundle`,
    );
  });

  it('reports validation and transaction issues together', () => {
    const b = bundle();
    b.type = 'batch';
    b.entry[4].resource.valueQuantity.value = '4.12';
    delete b.entry[2].resource.subject;
    expect(problems(parseLabReport(b))).toEqual([
      { severity: 'error', code: 'value', path: 'Bundle.entry[4].resource.valueQuantity.value' },
      { severity: 'error', code: 'not-supported', path: 'Bundle.type' },
      { severity: 'error', code: 'required', path: 'Bundle.entry[2].resource.subject' },
    ]);
  });

  it('accepts an Observation the report does not reach, with a warning', () => {
    const b = bundle();
    b.entry[2].resource.result.pop();
    const parse = parseLabReport(b);
    expect(content(parse).observations).toHaveLength(15);
    expect(parse.ok && parse.warnings.map((w) => [w.severity, w.path])).toEqual([
      ['warning', 'Bundle.entry[17].resource'],
    ]);
  });

  it('needs a DiagnosticReport', () => {
    const b = bundle();
    b.entry.splice(2, 1);
    expect(problems(parseLabReport(b))).toContainEqual({
      severity: 'error',
      code: 'required',
      path: 'Bundle',
    });
  });
});

describe('a DiagnosticReport with contained Observations', () => {
  it('gives the contained Observations in result order and the Specimen', () => {
    const sent = fixture<Json>('lab/cbc-contained.json');
    const c = content(parseLabReport(sent));
    expect(c.report).toEqual(sent);
    expect(c.observations.map((o) => o.id)).toEqual(['obs1', 'obs2', 'obs3']);
    expect(c.specimens.map((s) => s.id)).toEqual(['spec']);
    expect(c.patient).toBeUndefined();
    expect(c.paths.observations).toEqual([1, 2, 3].map((i) => `DiagnosticReport.contained[${i}]`));
  });

  it('refuses results that are not contained', () => {
    const dr = fixture<Json>('lab/cbc-contained.json');
    dr.result.push({ reference: 'Observation/elsewhere' });
    expect(problems(parseLabReport(dr))).toEqual([
      { severity: 'error', code: 'not-found', path: 'DiagnosticReport.result[3]' },
    ]);
  });
});

describe('anything else', () => {
  it('is refused with a reason', () => {
    expect(problems(parseLabReport(fixture('r4/observation-example.json')))).toEqual([
      { severity: 'error', code: 'not-supported', path: 'resourceType' },
    ]);
    expect(problems(parseLabReport('{}'))).toEqual([{ severity: 'error', code: 'structure', path: '' }]);
  });
});
