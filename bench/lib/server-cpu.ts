import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime, stime, cutime, cstime of a process, in clock ticks (fields 14-17 of /proc/pid/stat). */
function times(pid: string): { ppid: number; own: number; children: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(f[1]),
      own: Number(f[11]) + Number(f[12]),
      children: Number(f[13]) + Number(f[14]),
    };
  } catch {
    return undefined;
  }
}

/**
 * CPU time used so far by a PostgreSQL server (postmaster, its backends and background
 * workers, and those already gone), in ms; undefined where /proc is not there to tell.
 */
export function serverCpuMs(dataDir: string): number | undefined {
  try {
    const postmaster = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]!.trim();
    const main = times(postmaster);
    if (!main) return undefined;
    let ticks = main.own + main.children;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      const t = times(pid);
      if (t && String(t.ppid) === postmaster) ticks += t.own;
    }
    return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
