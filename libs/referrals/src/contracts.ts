// The referral contracts, until contracts/src/index.ts exports them (then: from '@yilian/contracts').
export * from '../../../contracts/src/referrals';
