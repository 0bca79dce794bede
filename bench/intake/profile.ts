/**
 * Optional CPU profile of the bench process during the measured run (BENCH_PROFILE=<file>):
 * V8's sampling profiler through node:inspector, written as a .cpuprofile (open it in Chrome
 * DevTools or speedscope) and summarised here: self time by package/library, and the
 * functions with the most self and inclusive time.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { ms } from './stats';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly children?: number[];
}
interface CpuProfile {
  readonly nodes: ProfileNode[];
  readonly samples: number[];
  readonly timeDeltas: number[];
}

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) =>
    session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result as T))),
  );
}

export class CpuProfiler {
  private readonly session = new Session();

  async start(samplingIntervalUs = 200): Promise<void> {
    this.session.connect();
    await post(this.session, 'Profiler.enable');
    await post(this.session, 'Profiler.setSamplingInterval', { interval: samplingIntervalUs });
    await post(this.session, 'Profiler.start');
  }

  /** Stops, writes the profile to `file`, answers the summary lines. */
  async stop(file: string): Promise<string[]> {
    const { profile } = await post<{ profile: CpuProfile }>(this.session, 'Profiler.stop');
    this.session.disconnect();
    writeFileSync(file, JSON.stringify(profile));
    return summarize(profile);
  }
}

function bucketOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(V8 builtins / native)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const parts = url.slice(nm + 14).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const ours = /\/(libs|apps|bench)\/([^/]+)\//.exec(url) ?? /\/(contracts)\//.exec(url);
  if (ours) return ours[2] ? `${ours[1]}/${ours[2]}` : ours[1]!;
  if (url.startsWith('node:')) return 'node: (core modules)';
  return url;
}

function labelOf(frame: ProfileNode['callFrame']): string {
  const file = frame.url.replace(/^.*\/(node_modules|libs|apps|contracts|bench)\//, '$1/');
  return `${frame.functionName || '(anonymous)'} ${file ? `${file}:${frame.lineNumber + 1}` : ''}`.trim();
}

function summarize(profile: CpuProfile): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const idle = profile.nodes
    .filter((n) => n.callFrame.functionName === '(idle)')
    .reduce((s, n) => s + (self.get(n.id) ?? 0), 0);
  const busy = total - idle;

  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  const buckets = new Map<string, number>();
  const selfByFn = new Map<string, number>();
  const inclusive = new Map<string, number>();
  // Inclusive time: a node's self time counts once for every distinct function on its path.
  const onPath = new Map<string, number>();
  const walk = (id: number) => {
    const node = byId.get(id)!;
    const label = labelOf(node.callFrame);
    const t = self.get(id) ?? 0;
    onPath.set(label, (onPath.get(label) ?? 0) + 1);
    if (onPath.get(label) === 1) add(inclusive, label, 0);
    if (t > 0) {
      add(buckets, bucketOf(node.callFrame), t);
      add(selfByFn, label, t);
      for (const l of onPath.keys()) add(inclusive, l, t);
    }
    for (const c of node.children ?? []) walk(c);
    const left = onPath.get(label)! - 1;
    if (left === 0) onPath.delete(label);
    else onPath.set(label, left);
  };
  walk(profile.nodes[0]!.id);

  const pct = (v: number) => `${((100 * v) / Math.max(busy, 1e-9)).toFixed(1).padStart(5)} %`;
  const top = (m: Map<string, number>, n: number, skip: (k: string) => boolean = () => false) =>
    [...m.entries()]
      .filter(([k]) => !skip(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, n);
  const meta = (k: string) => /^\((root|idle|program)\)/.test(k);
  return [
    `  sampled ${ms(total)} ms, of which idle ${ms(idle)} ms; busy ${ms(busy)} ms (percentages of busy)`,
    '  self time by package / library:',
    ...top(buckets, 16, (k) => k === '(idle)').map(
      ([k, v]) => `    ${pct(v)}  ${ms(v).padStart(7)} ms  ${k}`,
    ),
    '  functions, self time:',
    ...top(selfByFn, 25, (k) => k.startsWith('(idle)')).map(
      ([k, v]) => `    ${pct(v)}  ${ms(v).padStart(7)} ms  ${k}`,
    ),
    '  functions, inclusive time:',
    ...top(inclusive, 40, meta).map(([k, v]) => `    ${pct(v)}  ${ms(v).padStart(7)} ms  ${k}`),
  ];
}
