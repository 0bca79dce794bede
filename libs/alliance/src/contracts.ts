// The alliance contracts, until contracts/src/index.ts exports them (then: from '@yilian/contracts').
export * from '../../../contracts/src/alliance';
export type { DataCheck } from '../../../contracts/src/referrals';
