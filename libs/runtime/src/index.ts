export * from './auth';
export * from './http-errors';
export * from './http-setup';
export * from './logger';
export * from './tokens';
export * from './embedded-postgres';
export * from './json-validation';
export * from './fhir-http';
