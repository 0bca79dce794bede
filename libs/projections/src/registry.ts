import { patientLinksProjection } from '@yilian/patients';
import { labReportProjection } from '@yilian/results';
import { imagingProjection } from '@yilian/results';
import { orderProjection } from '@yilian/results';
import { allianceMembersProjection, outpatientVolumeProjection } from '@yilian/alliance';
import { referralBoardProjection, referralFhirProjection } from '@yilian/referrals';
import { recognitionIndicatorsProjection, recognitionProjection } from '@yilian/recognition';
import type { Projection } from './projection';

/** Every read model the hub maintains. A rebuild replays the log through all of them. */
export const ALL_PROJECTIONS: readonly Projection[] = [
  labReportProjection,
  patientLinksProjection,
  referralBoardProjection,
  referralFhirProjection,
  allianceMembersProjection,
  outpatientVolumeProjection,
  imagingProjection,
  orderProjection,
  recognitionProjection,
  recognitionIndicatorsProjection,
];
