export * from './recognition-rules.v1';
