import {
  chinaDay,
  evolveOutpatientVolume,
  reportOutpatientVolume,
  type ReportOutpatientVolume,
} from './outpatient-volume';

const now = '2026-03-02T01:00:00Z'; // 09:00 on 2 March in Beijing
const report: ReportOutpatientVolume = {
  type: 'ReportOutpatientVolume',
  institution: 'H001',
  day: '2026-03-01',
  visits: 5200,
  now,
};
const decide = (command: ReportOutpatientVolume, reported: [string, number][] = []) =>
  reportOutpatientVolume(command, new Map(reported));

describe('ReportOutpatientVolume', () => {
  it('records the visits of a day', () =>
    expect(decide(report)).toEqual([
      {
        type: 'OutpatientVolumeReported',
        data: { institution: 'H001', day: '2026-03-01', visits: 5200, reportedAt: now },
      },
    ]));
  it('records nothing for the same number again, a correction for another', () => {
    expect(decide(report, [['2026-03-01', 5200]])).toEqual([]);
    expect(decide({ ...report, visits: 5300 }, [['2026-03-01', 5200]])).toHaveLength(1);
  });
  it('the later report of a day replaces the earlier one', () => {
    const [first] = decide(report);
    const [second] = decide({ ...report, visits: 5300 });
    const state = [first!, second!].reduce(evolveOutpatientVolume, new Map<string, number>());
    expect(state.get('2026-03-01')).toBe(5300);
  });
  it('refuses a day that is not on the calendar, or still to come in Beijing', () => {
    expect(() => decide({ ...report, day: '2026-02-30' })).toThrow(/not a calendar day/);
    expect(() => decide({ ...report, day: '2026-03-03' })).toThrow(/has not happened yet/);
    expect(decide({ ...report, day: '2026-03-02' })).toHaveLength(1);
  });
  it('refuses negative or fractional visits, naming the field', () => {
    expect(() => decide({ ...report, visits: -1 })).toThrow(/ReportOutpatientVolume\.visits/);
    expect(() => decide({ ...report, visits: 2.5 })).toThrow(/visits/);
  });
  it('reads days in China Standard Time', () => {
    expect(chinaDay('2026-03-01T15:59:59Z')).toBe('2026-03-01');
    expect(chinaDay('2026-03-01T16:00:00Z')).toBe('2026-03-02');
  });
});
