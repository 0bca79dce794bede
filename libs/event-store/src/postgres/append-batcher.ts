/**
 * Group commit without a timer. A submitted item goes out at once when no call is in flight (a
 * batch of one: no added latency when idle); otherwise it waits, and as soon as a call
 * completes, everything waiting — up to `maxItems` items and `maxBytes` — goes out as the next
 * single call. Under load the batches grow by themselves: the longer a call takes, the more
 * items gather meanwhile. A further call (up to `maxConcurrent`) goes out while one is in flight
 * only once `overlapAt` items wait: it overlaps a slow commit without splitting the load into
 * batches of one, each paying a call's fixed cost.
 */
export interface Queued<T, R> {
  readonly item: T;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

export interface AppendBatcherOptions<T, R> {
  /** Calls in flight at most; further items wait and go out together. */
  readonly maxConcurrent: number;
  /** Items waiting before a call goes out while another is in flight (default 1: at once). */
  readonly overlapAt?: number;
  /** Items per call at most. */
  readonly maxItems: number;
  /** Bytes per call at most (by `sizeOf`); a single larger item still goes, alone. */
  readonly maxBytes: number;
  readonly sizeOf: (item: T) => number;
  /** Sends one batch, in submission order, and settles each item's promise (now or later).
   * Resolves when the call is over and the next may go; a rejection rejects every item of
   * the batch not settled yet. */
  readonly send: (batch: readonly Queued<T, R>[]) => Promise<void>;
}

export interface AppendBatcherStats {
  /** Calls sent (a batch of one included). */
  readonly calls: number;
  /** Items submitted and sent. */
  readonly appends: number;
  /** The largest batch sent. */
  readonly maxBatch: number;
}

export class AppendBatcher<T, R> {
  private readonly queue: Queued<T, R>[] = [];
  private inFlight = 0;
  private calls = 0;
  private appends = 0;
  private maxBatch = 0;

  constructor(private readonly options: AppendBatcherOptions<T, R>) {
    if (!(options.maxConcurrent >= 1) || !(options.maxItems >= 1)) {
      throw new Error('AppendBatcher: maxConcurrent and maxItems must be at least 1');
    }
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const queued: Queued<T, R> = { item, resolve, reject };
      this.queue.push(queued);
      this.drain();
    });
  }

  get stats(): AppendBatcherStats {
    return { calls: this.calls, appends: this.appends, maxBatch: this.maxBatch };
  }

  /** Items waiting for a call to complete. */
  get waiting(): number {
    return this.queue.length;
  }

  private dispatch(batch: Queued<T, R>[]): void {
    this.inFlight++;
    this.calls++;
    this.appends += batch.length;
    this.maxBatch = Math.max(this.maxBatch, batch.length);
    // Outcomes settled during the call are handed over once its slot is free: a caller that
    // appends again right away then goes out at once instead of waiting for a busy slot.
    let open = true;
    const held: (() => void)[] = [];
    const hold = (settle: () => void) => (open ? held.push(settle) : settle());
    const handed = batch.map<Queued<T, R>>((q) => ({
      item: q.item,
      resolve: (result) => hold(() => q.resolve(result)),
      reject: (error) => hold(() => q.reject(error)),
    }));
    let sent: Promise<void>;
    try {
      sent = this.options.send(handed);
    } catch (e) {
      sent = Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    sent
      .catch((e: unknown) => {
        for (const q of handed) q.reject(e); // no effect on the ones already settled
      })
      .finally(() => {
        open = false;
        this.inFlight--;
        this.drain();
        for (const settle of held) settle();
      });
  }

  private drain(): void {
    const overlapAt = this.options.overlapAt ?? 1;
    while (
      this.inFlight < this.options.maxConcurrent &&
      this.queue.length > 0 &&
      (this.inFlight === 0 || this.queue.length >= overlapAt)
    ) {
      let count = 0;
      let bytes = 0;
      while (count < this.queue.length && count < this.options.maxItems) {
        const size = this.options.sizeOf(this.queue[count]!.item);
        if (count > 0 && bytes + size > this.options.maxBytes) break;
        bytes += size;
        count++;
      }
      this.dispatch(this.queue.splice(0, count));
    }
  }
}
