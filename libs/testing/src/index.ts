export * from './embedded-postgres';
export * from './lab-fixtures';
export * from './test-env';
export * from './read-model-tables';
export * from './recognition-rules';
