import type { GlobalPosition, RecordedEvent } from '@yilian/contracts';
import { START } from '@yilian/contracts';
import type { SubscribeOptions, Subscription } from './event-store.port';

/**
 * Catch-up then live, by reading the global log in batches from the last handled position.
 * When caught up it waits for a wake-up (an append through the same store instance) or the
 * poll interval, whichever comes first. The handler sees one event at a time, in order.
 */
export function pollingSubscription(args: {
  read: (after: GlobalPosition) => Promise<RecordedEvent[]>;
  options: SubscribeOptions;
  pollIntervalMs: number;
  registerWaker: (wake: () => void) => () => void;
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
    while (!stopped) {
      const batch = await args.read(after);
      for (const event of batch) {
        if (stopped) return;
        await args.options.handler(event);
        after = event.position;
      }
      if (batch.length === 0) {
        if (!caughtUp) {
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
