export * from './eligibility.types';
export * from './days';
export * from './result-record';
export * from './rules-book';
export * from './matching';
export * from './eligibility.rules';
export * from './eligibility.service';
export * from './read-models/recognition.projection';
