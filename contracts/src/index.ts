export * from './envelope';
export * from './canonical';
export * from './kafka';
export * from './fhir';
export * from './results/lab-report-recorded.v1';
export * from './referrals';
export * from './alliance';
export * from './patients';
