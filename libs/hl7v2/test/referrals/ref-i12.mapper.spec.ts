import { mapRefI12, parseHl7, type RefI12Mapping } from '../../src';
import { refI12 } from './ref-i12.fixtures';

const ID = '11010519491231002X';
const map = (text: string, institution = 'C002'): RefI12Mapping => {
  const parsed = parseHl7(text);
  if (!parsed.ok) throw new Error('fixture does not parse');
  return mapRefI12(parsed.message, { institution });
};
const locations = (m: RefI12Mapping) =>
  m.ok ? [] : m.errors.map((e) => [e.segment, e.sequence, e.field, e.component].filter(Boolean).join('-'));

describe('REF^I12 → referral draft', () => {
  it('reads the referral number, priority, receiver, department, patient, diagnosis and results', () => {
    expect(map(refI12({ controlId: 'M1', residentId: ID, mrn: 'MRN-9' }))).toEqual({
      ok: true,
      draft: {
        sourceId: 'ZZ-2026-0001',
        receiver: 'H001',
        priority: 'urgent',
        reasonCode: [
          {
            coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'I20.0', display: '不稳定型心绞痛' }],
            text: '不稳定型心绞痛',
          },
        ],
        supportingInfo: ['DiagnosticReport/C002.L-0001'],
        documents: [],
        department: '心内科',
        patient: { residentId: ID, mrn: 'MRN-9' },
      },
    });
  });

  it('reads a downward referral: RF1-3 DOWN, discharge summary and plan by LOINC in OBR-4', () => {
    const text = refI12({
      controlId: 'M2',
      sender: 'H001',
      receiver: 'C002',
      mrn: 'H-MRN-1',
      orders: [
        'OBR|1||DS-77|18842-5^出院小结^LN',
        'OBR|2||FP-77|PLAN^随访计划^L^18776-5^后续治疗方案^LN',
        'OBR|3|CT-9||CT^胸部CT^L',
      ],
    }).replace('|MED^医疗|', '|DOWN^下转|');
    const mapped = map(text, 'H001');
    expect(mapped).toMatchObject({
      ok: true,
      draft: {
        direction: 'downward',
        receiver: 'C002',
        documents: [
          { kind: 'discharge-summary', reference: 'DocumentReference/H001.DS-77', title: '出院小结' },
          { kind: 'follow-up-plan', reference: 'DocumentReference/H001.FP-77', title: '随访计划' },
        ],
        supportingInfo: ['DiagnosticReport/H001.CT-9'],
      },
    });
  });

  it('refuses a referring PRD that names another institution than the connection', () =>
    expect(locations(map(refI12({ controlId: 'M3', mrn: 'X' }), 'X003'))).toEqual(['PRD-1-7-1']));

  it('names RF1-6, PRD-1, DG1-3 and PID-3 when they are missing', () => {
    const text = refI12({ controlId: 'M4' })
      .replace('|ZZ-2026-0001^C002|', '||')
      .replace('PRD|RT|', 'PRD|CP|')
      .replace(/DG1\|[^\r]*/, 'DG1|1');
    expect(locations(map(text))).toEqual(['RF1-1-6', 'PRD-1', 'PID-1-3', 'DG1-3']);
  });

  it('refuses an unknown priority and a resident ID number that fails its check, without repeating it', () => {
    const mapped = map(refI12({ controlId: 'M5', residentId: '110105194912310021', priority: 'Q' }));
    expect(locations(mapped)).toEqual(['RF1-1-2', 'PID-1-3-1']);
    expect(JSON.stringify(mapped)).not.toContain('110105194912310021');
  });
});
