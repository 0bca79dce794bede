import { mapRefFamily, parseHl7 } from '../../src';
import { setField } from '../fixtures';
import { refI12 } from './ref-i12.fixtures';

function mapped(text: string) {
  const p = parseHl7(text);
  if (!p.ok) throw new Error('not HL7');
  return mapRefFamily(p.message);
}
const i14 = (extra: string[] = [], sourceId?: string) =>
  [
    refI12({ controlId: 'I14-1', ...(sourceId !== undefined ? { sourceId } : {}) }).replace(
      'REF^I12^REF_I12',
      'REF^I14^REF_I12',
    ),
    ...extra,
  ].join('\r');

describe('REF^I13 / I14 / I15: the referral named, the cancel reason', () => {
  it('RF1-6 names the referral; the last NTE-3 is the reason (at most 500 characters)', () => {
    expect(mapped(i14(['NTE|1||患者已在本院就诊', 'NTE|2||患者家属要求转回']))).toEqual({
      ok: true,
      sourceId: 'ZZ-2026-0001',
      cancelReason: '患者家属要求转回',
    });
    const long = mapped(i14([`NTE|1||${'因'.repeat(600)}`]));
    expect(long.ok && long.cancelReason?.length).toBe(500);
    expect(mapped(i14())).toEqual({ ok: true, sourceId: 'ZZ-2026-0001' });
  });

  it('RF1-11 when RF1-6 is empty; neither is 101 at RF1-6', () => {
    const rf11 = i14([], '')
      .split('\r')
      .map((l) => (l.startsWith('RF1|') ? setField(l, 11, 'ZZ-ALT-9') : l))
      .join('\r');
    expect(mapped(rf11)).toMatchObject({ ok: true, sourceId: 'ZZ-ALT-9' });
    expect(mapped(i14([], ''))).toEqual({
      ok: false,
      errors: [
        { segment: 'RF1', sequence: 1, field: 6, code: 101, message: 'RF1-6 (referral number) is empty' },
      ],
    });
  });
});
