import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function stat(pid: string): { ppid: string; own: number; reaped: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: f[1]!, own: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]) };
  } catch {
    return undefined;
  }
}

/** CPU ms used so far by the PostgreSQL server whose data dir is `dataDir` (postmaster, live
 * backends and workers, and those already exited); undefined without /proc. */
export function postgresCpuMs(dataDir: string): number | undefined {
  try {
    const postmaster = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]!.trim();
    return processTreeCpuMs(Number(postmaster));
  } catch {
    return undefined;
  }
}

/** CPU ms used so far by process `pid`, its children (live, and those it has reaped); undefined
 * without /proc or when it is gone. */
export function processTreeCpuMs(pid: number): number | undefined {
  const root = stat(String(pid));
  if (!root) return undefined;
  let ticks = root.own + root.reaped;
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    const s = stat(p);
    if (s?.ppid === String(pid)) ticks += s.own;
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}
