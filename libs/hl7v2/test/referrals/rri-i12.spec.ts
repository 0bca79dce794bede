import { parseHl7, referralAnswers } from '../../src';
import { refI12 } from './ref-i12.fixtures';

const now = new Date('2026-03-02T01:00:05Z');
const referral = {
  referralId: 'C002.ZZ-2026-0001',
  sourceId: 'ZZ-2026-0001',
  status: 'requested' as const,
  patientKey: 'pk_7xq2m4k5v6w3nbrt2jd6hyl4ce',
};
const message = (opts: { accept?: string; application?: string } = {}) => {
  const parsed = parseHl7(refI12({ controlId: 'REF-1', mrn: 'MRN-9', ...opts }));
  if (!parsed.ok) throw new Error('fixture does not parse');
  return parsed.message;
};
const segment = (text: string, name: string) =>
  (text.split('\r').find((s) => s.startsWith(`${name}|`)) ?? '').split('|');

describe('answers to REF^I12', () => {
  it('in original mode: one RRI^I12 with MSA AA, the hub referral id in RF1-11 and only the patient key', () => {
    const [rri, ...more] = referralAnswers(message(), 'accepted', [], { now, referral });
    expect(more).toEqual([]);
    expect(segment(rri!, 'MSH')[8]).toBe('RRI^I12^RRI_I12');
    expect(segment(rri!, 'MSH').slice(2, 6)).toEqual(['YILIAN', 'HUB', 'HIS', 'C002']);
    expect(segment(rri!, 'MSA').slice(1, 3)).toEqual(['AA', 'REF-1']);
    const rf1 = segment(rri!, 'RF1');
    expect([rf1[1], rf1[6], rf1[11]]).toEqual(['P^Pending', 'ZZ-2026-0001', 'C002.ZZ-2026-0001^YILIAN']);
    expect(segment(rri!, 'PID')[3]).toBe(`${referral.patientKey}^^^YILIAN^PI`);
    expect(rri).not.toContain('MRN-9');
    expect(rri!.split('\r').filter((s) => s.startsWith('PRD|'))).toHaveLength(2);
  });

  it('in original mode: an RRI^I12 with MSA AE and the ERR at fault, without RF1', () => {
    const error = { segment: 'DG1', field: 3, code: 101, message: 'no reason' };
    const [rri] = referralAnswers(message(), 'content-error', [error], { now });
    expect(segment(rri!, 'MSA').slice(1, 4)).toEqual(['AE', 'REF-1', 'no reason']);
    expect(segment(rri!, 'ERR')[2]).toBe('DG1^^3');
    expect(segment(rri!, 'RF1')).toEqual(['']);
  });

  it('in enhanced mode: a commit ACK (CA) and then the RRI^I12 (AA) when MSH-16 asks', () => {
    const answers = referralAnswers(message({ accept: 'AL', application: 'AL' }), 'accepted', [], {
      now,
      referral,
    });
    expect(answers.map((a) => segment(a, 'MSH')[8])).toEqual(['ACK^I12^ACK', 'RRI^I12^RRI_I12']);
    expect(answers.map((a) => segment(a, 'MSA')[1])).toEqual(['CA', 'AA']);
  });

  it('in enhanced mode with MSH-16 ER: only the commit ACK on success', () => {
    const answers = referralAnswers(message({ accept: 'AL', application: 'ER' }), 'accepted', [], {
      now,
      referral,
    });
    expect(answers.map((a) => segment(a, 'MSA')[1])).toEqual(['CA']);
  });
});
