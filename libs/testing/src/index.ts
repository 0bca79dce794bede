export * from './embedded-postgres';
export * from './lab-fixtures';
export * from './test-env';
