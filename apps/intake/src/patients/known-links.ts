/**
 * MRN ↔ resident ID links this process has seen recorded, so a report of a patient already
 * linked does not read the two patient streams again. Holds only positive facts ("member key
 * M is linked to patient key P"); the one event that makes such a fact false is an unlink of
 * M (a merge or unmerge leaves a link as it is, but is forgotten too, to be safe).
 *
 * Changes made through this process are forgotten at once (`forget`, and `changing` keeps a
 * decision read before the change from being remembered after it). Changes made by another
 * process are seen once an entry expires (`ttlMs`); the size is bounded (oldest out first).
 */
export class KnownLinks {
  private readonly expiry = new Map<string, number>();
  private generation = 0;

  constructor(
    private readonly maxEntries = 50_000,
    private readonly ttlMs = 60_000,
    private readonly clock: () => number = Date.now,
  ) {}

  has(memberKey: string, patientKey: string): boolean {
    const key = `${memberKey}\u001f${patientKey}`;
    const until = this.expiry.get(key);
    if (until === undefined) return false;
    if (until > this.clock()) return true;
    this.expiry.delete(key);
    return false;
  }

  /** A token to pass to `remember`: a fact read before a change of this process is dropped. */
  snapshot(): number {
    return this.generation;
  }

  remember(memberKey: string, patientKey: string, snapshot = this.generation): void {
    if (snapshot !== this.generation) return;
    const key = `${memberKey}\u001f${patientKey}`;
    this.expiry.delete(key);
    this.expiry.set(key, this.clock() + this.ttlMs);
    if (this.expiry.size > this.maxEntries) this.expiry.delete(this.expiry.keys().next().value!);
  }

  /** Forgets every link of these member keys; facts read before now are not remembered. */
  forget(memberKeys: readonly string[]): void {
    if (memberKeys.length === 0) return;
    this.generation++;
    const prefixes = memberKeys.map((k) => `${k}\u001f`);
    for (const key of this.expiry.keys())
      if (prefixes.some((p) => key.startsWith(p))) this.expiry.delete(key);
  }
}
