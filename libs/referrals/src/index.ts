export * from './referral.commands';
export * from './referral.state';
export {
  directionFitsLevels,
  isOverdue,
  missingDownwardDocuments,
  ReferralRejection,
  type ReferralRejectionCode,
} from './referral.rules';
export * from './request-referral';
export * from './referral.decider';
export * from './referral-fhir.codes';
export * from './referral-fhir.outcome';
export * from './referral-fhir.mapper';
export * from './referral-task.mapper';
export * from './referral-fhir.resources';
export * from './referral-board.projection';
export * from './referral-board.sql';
export * from './referral-indicators';
export * from './referral-id';
export * from './referral.handler';
export * from './referral-kpis';
export * from './read-models/referral-board.read-model';
export * from './read-models/referral-board.view';
export * from './read-models/referral-fhir.read-model';
export * from './fhir/referral-bundle';
export * from './expiry/referral-expiry';
export * from './referral-direction';
