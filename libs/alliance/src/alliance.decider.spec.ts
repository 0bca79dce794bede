import { specificationFor } from '../../referrals/src/testing/specification';
import type { AdmitInstitution, RegisterAlliance, RemoveInstitution } from './alliance.commands';
import { allianceDecider } from './alliance.decider';
import { parseAllianceEvent, type AllianceEvent } from './contracts';

const given = specificationFor(allianceDecider, {
  checkEvent: (event) => {
    const parsed = parseAllianceEvent({ ...event, schemaVersion: 1 });
    return parsed.ok ? [] : parsed.problems;
  },
});

const now = '2026-03-01T08:00:00+08:00';
const register: RegisterAlliance = {
  type: 'RegisterAlliance',
  allianceId: 'HZ-UG-1',
  name: '杭州市西湖区紧密型城市医疗集团',
  form: 'urban-group',
  referralResponseHours: 48,
  now,
};
const registered: AllianceEvent = {
  type: 'AllianceRegistered',
  data: {
    allianceId: 'HZ-UG-1',
    name: register.name,
    form: 'urban-group',
    referralResponseHours: 48,
    registeredAt: now,
  },
};
const admit = (institution: string, over: Partial<AdmitInstitution> = {}): AdmitInstitution => ({
  type: 'AdmitInstitution',
  allianceId: 'HZ-UG-1',
  institution,
  name: `institution ${institution}`,
  level: 'primary',
  role: 'member',
  now,
  ...over,
});
const joined = (command: AdmitInstitution): AllianceEvent => ({
  type: 'InstitutionJoinedAlliance',
  data: {
    allianceId: command.allianceId,
    institution: command.institution,
    name: command.name,
    level: command.level,
    role: command.role,
    joinedAt: command.now,
  },
});
const lead = admit('H-LEAD', { level: 'tertiary', role: 'lead' });
const community = admit('C-01');
const remove = (institution: string): RemoveInstitution => ({
  type: 'RemoveInstitution',
  allianceId: 'HZ-UG-1',
  institution,
  now,
});
const left = (institution: string): AllianceEvent => ({
  type: 'InstitutionLeftAlliance',
  data: { allianceId: 'HZ-UG-1', institution, leftAt: now },
});

describe('RegisterAlliance', () => {
  it('registers a new alliance with its referral response time', () =>
    given().when(register).then(registered));
  it('the same registration again records nothing (a resend)', () =>
    given(registered).when(register).thenNothing());
  it('another registration under a taken id is refused', () =>
    given(registered)
      .when({ ...register, referralResponseHours: 72 })
      .thenRejects('already-exists'));
  it('refuses a response time of zero hours', () =>
    given()
      .when({ ...register, referralResponseHours: 0 })
      .thenRejects('validation', /RegisterAlliance\.referralResponseHours/));
  it('refuses an unknown form', () =>
    given()
      .when({ ...register, form: 'club' as never })
      .thenRejects('validation', /form/));
});

describe('AdmitInstitution', () => {
  it('admits an institution at its level and in its role', () =>
    given(registered).when(lead).then(joined(lead)));
  it('refuses to admit into an alliance that is not registered', () =>
    given().when(lead).thenRejects('not-found'));
  it('the same admission again records nothing', () =>
    given([registered, joined(community)])
      .when(community)
      .thenNothing());
  it('refuses a second membership with another level or role', () =>
    given([registered, joined(community)])
      .when({ ...community, level: 'secondary' })
      .thenRejects('already-member'));
  it('refuses a second lead', () =>
    given([registered, joined(lead)])
      .when(admit('H-2', { level: 'tertiary', role: 'lead' }))
      .thenRejects('lead-exists', /H-LEAD/));
  it('admits shared centres beside the lead', () => {
    const imaging = admit('IMG-1', { level: 'secondary', role: 'imaging-centre' });
    given([registered, joined(lead)])
      .when(imaging)
      .then(joined(imaging));
  });
  it('admits again an institution that left', () =>
    given([registered, joined(community), left('C-01')])
      .when(community)
      .then(joined(community)));
  it('refuses an institution code with spaces', () =>
    given(registered)
      .when(admit('C 01'))
      .thenRejects('validation', /institution/));
});

describe('RemoveInstitution', () => {
  it('removes a member', () =>
    given([registered, joined(lead), joined(community)])
      .when(remove('C-01'))
      .then(left('C-01')));
  it('keeps the reason when one is given', () =>
    given([registered, joined(community)])
      .when({ ...remove('C-01'), reason: '合并至另一医共体' })
      .then({
        type: 'InstitutionLeftAlliance',
        data: { ...left('C-01').data, reason: '合并至另一医共体' },
      } as AllianceEvent));
  it('removing one that already left records nothing', () =>
    given([registered, joined(community), left('C-01')])
      .when(remove('C-01'))
      .thenNothing());
  it('refuses to remove an institution that never joined', () =>
    given(registered).when(remove('C-99')).thenRejects('not-member'));
  it('refuses to remove from an alliance that is not registered', () =>
    given().when(remove('C-01')).thenRejects('not-found'));
  it('the lead cannot leave while other members remain', () =>
    given([registered, joined(lead), joined(community)])
      .when(remove('H-LEAD'))
      .thenRejects('lead-cannot-leave'));
  it('the lead may leave last', () =>
    given([registered, joined(lead)])
      .when(remove('H-LEAD'))
      .then(left('H-LEAD')));
});
