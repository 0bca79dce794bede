/** Progress of long work on stderr: a line rewritten in place on a TTY, a plain line every
 * few seconds otherwise, a JSON line with `--json`. Never on stdout (reports, NDJSON). */
export class Progress {
  private readonly started = Date.now();
  /** Nothing in the first interval: short work prints no progress at all. */
  private lastShown = this.started;
  private shown = false;
  private shownOnTty = false;

  constructor(
    private readonly label: string,
    private readonly mode: { readonly json: boolean },
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number, total?: number): void {
    const now = Date.now();
    const tty = this.out.isTTY && !this.mode.json;
    if (now - this.lastShown < (tty ? 200 : 5000)) return;
    this.lastShown = now;
    this.show(done, total, now, tty);
  }

  /** The last figures, once, and the end of the TTY line. */
  finish(done: number, total?: number): void {
    const tty = this.out.isTTY && !this.mode.json;
    if (this.shown) this.show(done, total, Date.now(), tty);
    if (this.shownOnTty) this.out.write('\n');
  }

  private show(done: number, total: number | undefined, now: number, tty: boolean): void {
    this.shown = true;
    const seconds = Math.max((now - this.started) / 1000, 0.001);
    const rate = done / seconds;
    const left = total !== undefined && rate > 0 ? Math.max(total - done, 0) / rate : undefined;
    if (this.mode.json) {
      this.out.write(
        `${JSON.stringify({ progress: this.label, done, total: total ?? null, perSecond: Math.round(rate), secondsLeft: left === undefined ? null : Math.round(left) })}\n`,
      );
      return;
    }
    const of = total !== undefined ? ` / ${total}` : '';
    const pct = total ? ` (${((100 * done) / total).toFixed(1)} %)` : '';
    const eta = left !== undefined ? `, ${formatDuration(left)} left` : '';
    const line = `${this.label}: ${done}${of} events${pct}, ${Math.round(rate)}/s${eta}`;
    if (tty) {
      this.out.write(`\r${line}\x1b[K`);
      this.shownOnTty = true;
    } else this.out.write(`${line}\n`);
  }
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
