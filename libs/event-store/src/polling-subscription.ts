import type { GlobalPosition, RecordedEvent } from '@yilian/contracts';
import { comparePositions, START } from '@yilian/contracts';
import type { SubscribeOptions, Subscription } from './event-store.port';

/**
 * Catch-up then live, by reading the global log in batches from the last handled position.
 * When caught up it waits for a wake-up (an append through the same store instance) or the
 * poll interval, whichever comes first. The handler sees one event at a time, in order.
 */
export interface PolledBatch {
  readonly events: readonly RecordedEvent[];
  /** How far the read looked (a filtered read passes over events it does not return); the next
   * read starts after it. Default: the last event's position. */
  readonly scannedTo?: GlobalPosition;
}

export function pollingSubscription(args: {
  read: (after: GlobalPosition) => Promise<PolledBatch>;
  options: SubscribeOptions;
  pollIntervalMs: number;
  registerWaker: (wake: () => void) => () => void;
  /** The last event committed when the subscription starts. Caught up is reported only once the
   * reads have passed it: a read can come back empty while an older transaction is still in
   * flight (PostgreSQL's reads stop below it), and that is not caught up. */
  head?: () => Promise<GlobalPosition | undefined>;
}): Subscription {
  let stopped = false;
  let wakeNow: (() => void) | undefined;
  const unregister = args.registerWaker(() => wakeNow?.());
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        wakeNow = undefined;
        resolve();
      }
      wakeNow = done;
    });

  const loop = async () => {
    let after = args.options.after ?? START;
    let caughtUp = false;
    const head = await args.head?.();
    while (!stopped) {
      const { events, scannedTo } = await args.read(after);
      for (const event of events) {
        if (stopped) return;
        await args.options.handler(event);
        after = event.position;
      }
      if (scannedTo && comparePositions(scannedTo, after) > 0) after = scannedTo;
      if (events.length === 0) {
        if (!caughtUp && (head === undefined || comparePositions(after, head) >= 0)) {
          caughtUp = true;
          args.options.onCaughtUp?.();
        }
        await sleep(args.pollIntervalMs);
      }
    }
  };
  const done = loop().finally(unregister);
  return {
    done,
    stop: async () => {
      stopped = true;
      wakeNow?.();
      await done.catch(() => undefined);
    },
  };
}
