export * from './recognition-rules.v1';
export * from './recognition-decision-recorded.v1';
export * from './result-retrieved.v1';
