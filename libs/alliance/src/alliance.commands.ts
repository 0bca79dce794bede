import type { AllianceForm, AllianceRole, InstitutionLevel } from './contracts';

/** Set up an alliance (医联体) and the response time its referrals must meet. */
export interface RegisterAlliance {
  readonly type: 'RegisterAlliance';
  readonly allianceId: string;
  readonly name: string;
  readonly form: AllianceForm;
  readonly referralResponseHours: number;
  readonly now: string;
}

/** Make an institution a member, at its level and in its role. */
export interface AdmitInstitution {
  readonly type: 'AdmitInstitution';
  readonly allianceId: string;
  readonly institution: string;
  readonly name: string;
  readonly level: InstitutionLevel;
  readonly role: AllianceRole;
  readonly now: string;
}

/** End an institution's membership. */
export interface RemoveInstitution {
  readonly type: 'RemoveInstitution';
  readonly allianceId: string;
  readonly institution: string;
  readonly reason?: string;
  readonly now: string;
}

export type AllianceCommand = RegisterAlliance | AdmitInstitution | RemoveInstitution;
