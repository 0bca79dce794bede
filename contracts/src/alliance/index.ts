export * from './alliance';
export * from './alliance-registered.v1';
export * from './institution-joined-alliance.v1';
export * from './institution-left-alliance.v1';
export * from './alliance-event';
export * from './outpatient-volume-reported.v1';
export * from './outpatient-volume-reported.v2';
