/** Template checks: each fault names the XPath of what is missing or wrong; hostile XML is refused
 * before anything is read. */
import { describeFault, readCdaDocument } from '../src';
import { cdaFixture } from './cda-fixtures';

const ctx = { institution: 'H001', receivedAt: '2025-12-05T00:00:00.000Z' };
const LAB = cdaFixture('lab-biochemistry-panel');
const CT = cdaFixture('exam-chest-ct');

function faultsOf(xml: string): string[] {
  const r = readCdaDocument(xml, ctx);
  if (r.ok) throw new Error('expected faults');
  if (r.kind === 'not-xml') return [`not-xml: ${r.message}`];
  return r.faults.map(describeFault);
}

const without = (xml: string, pattern: RegExp) => {
  const out = xml.replace(pattern, '');
  if (out === xml) throw new Error(`fixture has no ${String(pattern)}`);
  return out;
};

describe('WS/T 500 template checks name the XPath of each fault', () => {
  it('a patient with neither resident ID number nor MRN', () => {
    const xml = without(
      without(LAB, /<id root="2\.16\.156\.10011\.1\.3" extension="[^"]*"\/>/),
      /<id root="2\.16\.156\.10011\.1\.11" extension="[^"]*"\/>/,
    );
    expect(faultsOf(xml)).toEqual([
      "/ClinicalDocument/recordTarget/patientRole/patient/id[@root='2.16.156.10011.1.3']: missing, and no MRN either (patientRole/id[@root='2.16.156.10011.1.11' or @root='2.16.156.10011.1.12'])",
    ]);
  });

  it('an MRN alone is enough; a resident ID number with a wrong check character is not', () => {
    const mrnOnly = readCdaDocument(
      without(LAB, /<id root="2\.16\.156\.10011\.1\.3" extension="[^"]*"\/>/),
      ctx,
    );
    expect(mrnOnly.ok && mrnOnly.document.header.patient).toEqual({ mrn: 'MZ20251201007' });
    expect(faultsOf(LAB.replace('extension="11010519491231002X"', 'extension="110105194912310021"'))).toEqual(
      [
        "/ClinicalDocument/recordTarget/patientRole/patient/id[@root='2.16.156.10011.1.3']/@extension: not a valid resident ID number (GB 11643: 18 characters, check character)",
      ],
    );
  });

  it('no templateId, or a document code that is not the template’s', () => {
    expect(faultsOf(without(LAB, /<templateId [^>]*\/>/))).toEqual([
      "/ClinicalDocument/templateId[@root='2.16.156.10011.2.1.1.27']: missing: the hub takes WS/T 500 part 6 (检查报告, C0006) and part 7 (检验报告, C0007) documents",
    ]);
    expect(faultsOf(LAB.replace('code="C0007"', 'code="C0006"'))).toEqual([
      '/ClinicalDocument/code/@code: C0006 does not match template 2.16.156.10011.2.1.1.27: expected C0007 in 2.16.156.10011.2.4',
    ]);
  });

  it('header elements: effectiveTime, the report number, the custodian organization, the CDA typeId', () => {
    expect(
      faultsOf(LAB.replace('<effectiveTime value="20251201103015"/>', '<effectiveTime value="2025-12-01"/>')),
    ).toEqual(['/ClinicalDocument/effectiveTime/@value: not a CDA TS (yyyyMMddHHmmss[+zzzz])']);
    expect(faultsOf(without(LAB, /<id root="2\.16\.156\.10011\.1\.33" extension="[^"]*"\/>/))).toEqual([
      "/ClinicalDocument/recordTarget/patientRole/id[@root='2.16.156.10011.1.33']/@extension: missing (检验报告单号, the accession)",
    ]);
    expect(faultsOf(without(LAB, /<custodian[\s\S]*<\/custodian>/))).toEqual([
      "/ClinicalDocument/custodian/assignedCustodian/representedCustodianOrganization/id[@root='2.16.156.10011.1.5']/@extension: missing (医疗卫生机构编号 of the institution)",
    ]);
    expect(faultsOf(without(LAB, /<typeId [^>]*\/>/))).toEqual([
      "/ClinicalDocument/typeId[@root='2.16.840.1.113883.1.3' and @extension='POCD_MT000040']: missing: not a CDA R2 document",
    ]);
  });

  it('the lab section and its results: a missing section, a value that is not a number (its exact position)', () => {
    expect(faultsOf(LAB.replace('code="30954-2"', 'code="30954-X"'))).toEqual([
      "/ClinicalDocument/component/structuredBody/component/section[code/@code='30954-2']: missing (实验室检查章节)",
    ]);
    expect(faultsOf(LAB.replace('value="5.8" unit="mmol/L"', 'value="5,8" unit="mmol/L"'))).toEqual([
      '/ClinicalDocument/component/structuredBody/component[2]/section/entry[2]/organizer/component[1]/observation/value/@value: not a number',
    ]);
    const noValue = LAB.replace('<value xsi:type="PQ" value="139" unit="mmol/L"/>', '');
    expect(faultsOf(noValue)).toEqual([
      '/ClinicalDocument/component/structuredBody/component[2]/section/entry[2]/organizer/component[2]/observation/value: missing (the result)',
    ]);
  });

  it('an examination report without findings or impression', () => {
    const xml = CT.replace(/DE04\.50\.13[12]\.00/g, 'DE04.50.199.00');
    expect(faultsOf(xml)).toEqual([
      "/ClinicalDocument/component/structuredBody/component/section/entry/observation[code/@code='DE04.50.131.00' or code/@code='DE04.50.132.00']/value: missing (检查报告结果: 客观所见 or 主观提示)",
    ]);
  });

  it('a root that is not a CDA ClinicalDocument in urn:hl7-org:v3', () => {
    expect(faultsOf('<ClinicalDocument><id root="1.2"/></ClinicalDocument>')).toEqual([
      '/ClinicalDocument: missing: the root element is ClinicalDocument, not a CDA ClinicalDocument in urn:hl7-org:v3',
    ]);
    expect(faultsOf('<Bundle xmlns="http://hl7.org/fhir"/>')[0]).toMatch(
      /^\/ClinicalDocument: missing: the root element is Bundle/,
    );
  });

  it('reads a document whose elements carry a namespace prefix the same as one with a default namespace', () => {
    const prefixed = LAB.replace(
      '<ClinicalDocument xmlns="urn:hl7-org:v3"',
      '<v3:ClinicalDocument xmlns:v3="urn:hl7-org:v3"',
    )
      .replace(/<(\/?)(?!\?|!|v3:)([A-Za-z])/g, '<$1v3:$2')
      .replace(/<\/v3:ClinicalDocument>|<\/ClinicalDocument>/, '</v3:ClinicalDocument>');
    const a = readCdaDocument(LAB, ctx);
    const b = readCdaDocument(prefixed, ctx);
    expect(b.ok).toBe(true);
    const observations = (r: typeof a) => (r.ok && r.document.kind === 'lab' ? r.document.observations : []);
    expect(observations(b)).toHaveLength(6);
    expect(observations(b)).toEqual(observations(a));
  });
});

describe('hostile or broken XML', () => {
  it('refuses an entity bomb (DOCTYPE) at once, expanding nothing', () => {
    const lol = [
      '<!ENTITY l0 "lol">',
      ...Array.from({ length: 9 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`),
    ];
    const bomb = `<?xml version="1.0"?><!DOCTYPE ClinicalDocument [${lol.join('')}]><ClinicalDocument xmlns="urn:hl7-org:v3"><title>&l9;</title></ClinicalDocument>`;
    const started = Date.now();
    expect(faultsOf(bomb)).toEqual([
      'not-xml: the document has a DOCTYPE (DTD or entity declarations); a CDA document has none',
    ]);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('an undeclared entity reference is left as text, never resolved', () => {
    const xml = LAB.replace('血钾、血糖升高，请结合临床。', '&xxe; &amp; &#x4E2D;');
    const r = readCdaDocument(xml, ctx);
    expect(r.ok && r.document.kind === 'lab' && r.document.report.conclusion).toBe('&xxe; & 中');
  });

  it('refuses more elements than any report has, and nesting deeper than the parser allows, without throwing', () => {
    const wide = `<ClinicalDocument xmlns="urn:hl7-org:v3">${'<a></a>'.repeat(25_000)}</ClinicalDocument>`;
    const started = Date.now();
    expect(faultsOf(wide)).toEqual([
      'not-xml: the document has more than 20000 elements; a CDA report has far fewer',
    ]);
    expect(Date.now() - started).toBeLessThan(200);
    const deep = `<ClinicalDocument xmlns="urn:hl7-org:v3">${'<a>'.repeat(15_000)}${'</a>'.repeat(15_000)}</ClinicalDocument>`;
    expect(faultsOf(deep)[0]).toMatch(/^not-xml: /);
  });

  it('says where XML is not well-formed', () => {
    expect(faultsOf('<ClinicalDocument xmlns="urn:hl7-org:v3"><title>检验</ClinicalDocument>')[0]).toMatch(
      /^not-xml: not well-formed XML at line 1, column \d+: /,
    );
    expect(faultsOf('HL7 is not XML')[0]).toMatch(/^not-xml: /);
  });
});
