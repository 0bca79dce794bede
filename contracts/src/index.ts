export * from './envelope';
export * from './kafka';
export * from './fhir';
export * from './results/lab-report-recorded.v1';
