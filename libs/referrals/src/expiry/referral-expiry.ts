/**
 * Expiry without anyone sending anything: every interval, the referrals the board shows as
 * unanswered past their deadline get an ExpireReferral, decided like any command (load the
 * stream, decide, append with the expected revision). The decider has the last word: one
 * accepted meanwhile, or not yet due by the stream's own deadline, yields nothing. The event
 * is ReferralExpired in the referral's stream, with source protocol `hub`: replayed like any.
 */
import type { SqlExecutor } from '@yilian/alliance';
import type { EventStore } from '@yilian/event-store';
import { REFERRALS_DUE_FOR_EXPIRY } from '../referral-board.sql';
import { handleReferralCommand } from '../referral.handler';

export interface ReferralExpiryOptions {
  /** The hub's clock; tests move it forward to make expiry happen. */
  readonly clock?: () => Date;
  readonly intervalMs?: number;
  readonly onError?: (referralId: string, error: unknown) => void;
}

export class ReferralExpiryScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<string[]> | undefined;
  private readonly clock: () => Date;

  constructor(
    private readonly store: EventStore,
    private readonly readModels: SqlExecutor,
    private readonly options: ReferralExpiryOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
  }

  start(): this {
    this.timer ??= setInterval(() => void this.runOnce(), this.options.intervalMs ?? 60_000);
    return this;
  }

  /** One pass; the referrals it expired. Passes never overlap. */
  runOnce(): Promise<string[]> {
    this.running ??= this.expireDue().finally(() => (this.running = undefined));
    return this.running;
  }

  private async expireDue(): Promise<string[]> {
    const now = this.clock().toISOString();
    const { rows } = await this.readModels
      .query<{ referral_id: string }>(REFERRALS_DUE_FOR_EXPIRY, [now])
      .catch((error: unknown) => (this.options.onError?.('*', error), { rows: [] }));
    const expired: string[] = [];
    for (const { referral_id: referralId } of rows) {
      try {
        const source = { institution: 'hub', messageId: `expire:${referralId}`, protocol: 'hub' as const };
        const handled = await handleReferralCommand(
          this.store,
          { type: 'ExpireReferral', referralId, now },
          { ...source, correlationId: `expire:${referralId}` },
        );
        if (handled.recorded.length > 0) expired.push(referralId);
      } catch (error) {
        this.options.onError?.(referralId, error);
      }
    }
    return expired;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}
