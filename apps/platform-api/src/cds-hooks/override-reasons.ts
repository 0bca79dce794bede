/**
 * The cards' `overrideReasons`: the decline reasons (national list + local additions) of the
 * recognition-decline-reason ValueSet, in its order — the same Codings the decisions accept
 * (libs/recognition/src/decisions/decline-reasons.ts). Never strings in code.
 */
import { DECLINE_REASONS as REASONS } from '@yilian/recognition';
import type { CdsCoding } from './cds-hooks.types';

export const DECLINE_REASONS: readonly CdsCoding[] = REASONS;
