export * from './env';
export * from './institutions';
export * from './read-clients';
