export * from './eligibility.types';
