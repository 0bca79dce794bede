export * from './in-process-projector';
export * from './projection';
export * from './projection-runner';
export * from './registry';
export * from './rebuild';
