export * from '../index';
export * from '../referrals';
export * from '../alliance';
