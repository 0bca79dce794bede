export * from './resident-id';
export * from './identifier-systems';
export * from './patient-key';
export * from './patient-identifiers';
export * from './identity';
export * from './part-in-care.queries';
