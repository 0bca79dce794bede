import { Progress } from './progress';

function fakeStream(isTTY: boolean): { out: NodeJS.WriteStream; lines: string[] } {
  const lines: string[] = [];
  const out = { isTTY, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
  return { out, lines };
}

describe('Progress', () => {
  let now = 0;
  beforeEach(() => {
    now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => jest.restoreAllMocks());

  it('prints a plain line every 5 s off a TTY: done / total, rate, time left; nothing for short work', () => {
    const { out, lines } = fakeStream(false);
    const p = new Progress('verify', { json: false }, out);
    now += 1000;
    p.update(1000, 10_000);
    expect(lines).toEqual([]);
    now += 4000;
    p.update(5000, 10_000);
    expect(lines).toEqual(['verify: 5000 / 10000 events (50.0 %), 1000/s, 5 s left\n']);
    now += 1000;
    p.update(6000, 10_000);
    expect(lines).toHaveLength(1);
    now += 4000;
    p.finish(10_000, 10_000);
    expect(lines[1]).toBe('verify: 10000 / 10000 events (100.0 %), 1000/s, 0 s left\n');

    const quick = fakeStream(false);
    const q = new Progress('export', { json: false }, quick.out);
    q.update(10, 10);
    q.finish(10, 10);
    expect(quick.lines).toEqual([]);
  });

  it('rewrites one line on a TTY and ends it; JSON lines with --json', () => {
    const tty = fakeStream(true);
    const p = new Progress('rebuild', { json: false }, tty.out);
    now += 2000;
    p.update(200, 1000);
    p.finish(1000, 1000);
    expect(tty.lines).toEqual([
      '\rrebuild: 200 / 1000 events (20.0 %), 100/s, 8 s left\x1b[K',
      '\rrebuild: 1000 / 1000 events (100.0 %), 500/s, 0 s left\x1b[K',
      '\n',
    ]);

    const json = fakeStream(true);
    const j = new Progress('verify', { json: true }, json.out);
    now += 5000;
    j.update(50, 100);
    expect(JSON.parse(json.lines[0]!)).toEqual({
      progress: 'verify',
      done: 50,
      total: 100,
      perSecond: 10,
      secondsLeft: 5,
    });
  });
});
