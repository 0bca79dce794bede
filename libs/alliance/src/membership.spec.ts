import { allianceDecider } from './alliance.decider';
import type { AllianceCommand } from './alliance.commands';
import type { AllianceState } from './alliance.state';
import {
  compareLevels,
  membershipsOf,
  referralAllianceFacts,
  responseHoursFor,
  shareAlliance,
  sharedAlliances,
  termsOf,
} from './membership';

const now = '2026-03-01T00:00:00Z';

function alliance(
  allianceId: string,
  hours: number,
  members: [string, 'tertiary' | 'secondary' | 'primary'][],
  leaving: string[] = [],
): AllianceState {
  const commands: AllianceCommand[] = [
    {
      type: 'RegisterAlliance',
      allianceId,
      name: allianceId,
      form: 'county-community',
      referralResponseHours: hours,
      now,
    },
    ...members.map(([institution, level]): AllianceCommand => ({
      type: 'AdmitInstitution',
      allianceId,
      institution,
      name: institution,
      level,
      role: 'member',
      now,
    })),
    ...leaving.map((institution): AllianceCommand => ({
      type: 'RemoveInstitution',
      allianceId,
      institution,
      now,
    })),
  ];
  return commands.reduce(
    (state, command) => allianceDecider.decide(command, state).reduce(allianceDecider.evolve, state),
    allianceDecider.initialState(),
  );
}

const county = alliance(
  'A-COUNTY',
  72,
  [
    ['COUNTY-H', 'secondary'],
    ['TOWN-1', 'primary'],
    ['TOWN-2', 'primary'],
  ],
  ['TOWN-2'],
);
const city = alliance('A-CITY', 24, [
  ['CITY-H', 'tertiary'],
  ['COUNTY-H', 'secondary'],
]);
const specialty = alliance('A-SPEC', 24, [
  ['CITY-H', 'tertiary'],
  ['COUNTY-H', 'secondary'],
]);
const all = [county, city, specialty, { status: 'none' } as const];

describe('shareAlliance', () => {
  const memberships = membershipsOf(all);
  it('is true for members of the same alliance', () =>
    expect(shareAlliance(memberships, 'TOWN-1', 'COUNTY-H')).toBe(true));
  it('is false across alliances with no common member alliance', () =>
    expect(shareAlliance(memberships, 'TOWN-1', 'CITY-H')).toBe(false));
  it('is false once an institution has left', () =>
    expect(shareAlliance(memberships, 'TOWN-2', 'COUNTY-H')).toBe(false));
  it('is false for an institution and itself', () =>
    expect(shareAlliance(memberships, 'TOWN-1', 'TOWN-1')).toBe(false));
  it('lists every shared alliance, sorted', () =>
    expect(sharedAlliances(memberships, 'COUNTY-H', 'CITY-H')).toEqual(['A-CITY', 'A-SPEC']));
});

describe('responseHoursFor', () => {
  it('takes the strictest response time, ties to the smaller alliance id', () =>
    expect(responseHoursFor(termsOf(all), ['A-SPEC', 'A-CITY', 'A-COUNTY'])).toEqual({
      allianceId: 'A-CITY',
      referralResponseHours: 24,
    }));
  it('is undefined when none of the alliances is known', () =>
    expect(responseHoursFor(termsOf(all), ['A-NONE'])).toBeUndefined());
});

describe('referralAllianceFacts', () => {
  it('gives the alliance, its response time and both levels', () =>
    expect(referralAllianceFacts(all, 'TOWN-1', 'COUNTY-H')).toEqual({
      allianceId: 'A-COUNTY',
      referralResponseHours: 72,
      senderLevel: 'primary',
      receiverLevel: 'secondary',
    }));
  it('is undefined when sender and receiver share no alliance', () =>
    expect(referralAllianceFacts(all, 'TOWN-1', 'CITY-H')).toBeUndefined());
});

describe('compareLevels', () => {
  it('orders primary < secondary < tertiary', () => {
    expect(compareLevels('primary', 'tertiary')).toBeLessThan(0);
    expect(compareLevels('tertiary', 'secondary')).toBeGreaterThan(0);
    expect(compareLevels('secondary', 'secondary')).toBe(0);
  });
});
