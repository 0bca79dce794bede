export * from './env';
export * from './institutions';
