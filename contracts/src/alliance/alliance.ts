/** Vocabulary of the alliance (医联体) events: forms, member levels and roles, the stream. */

/** `alliance-{allianceId}`: one stream per alliance, holding its registration and membership. */
export function allianceStream(allianceId: string): string {
  return `alliance-${allianceId}`;
}

/** 城市医疗集团, 县域医共体, 专科联盟, 远程医疗协作网. */
export const ALLIANCE_FORMS = ['urban-group', 'county-community', 'specialty', 'remote-care'] as const;
export type AllianceForm = (typeof ALLIANCE_FORMS)[number];

/** 三级, 二级, 基层 (community / township health centres). */
export const INSTITUTION_LEVELS = ['tertiary', 'secondary', 'primary'] as const;
export type InstitutionLevel = (typeof INSTITUTION_LEVELS)[number];

/** 牵头医院, member, and the shared centres (影像 / 检验 / 心电会诊中心). */
export const ALLIANCE_ROLES = ['lead', 'member', 'imaging-centre', 'lab-centre', 'ecg-centre'] as const;
export type AllianceRole = (typeof ALLIANCE_ROLES)[number];

/** The longest response time an alliance may configure for referrals: 30 days. */
export const MAX_REFERRAL_RESPONSE_HOURS = 24 * 30;
