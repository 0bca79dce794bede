import { spawn, type ChildProcess } from 'node:child_process';

/* Started through bash so that the child dies with this process, however this one dies: a
 * watchdog holds our stdin pipe and, on EOF (we exited or were killed, even with SIGKILL),
 * sends the child SIGTERM, then SIGKILL 15 s later. `exec` makes the child's pid the
 * program's, so signals sent to `child` reach the program itself. */
const WATCHDOG = `exec 3<&0
(cat <&3 >/dev/null; kill -TERM $$ || exit 0
  for _ in $(seq 60); do sleep 0.25; kill -0 $$ || exit 0; done; kill -KILL $$) >/dev/null 2>&1 &
exec "$@" </dev/null 3<&-`;

/** Spawns `file args` so that it cannot outlive this process (no orphans on a crash of
 * ours); its stdout and stderr are piped to us, its stdin is /dev/null. */
export function spawnTiedToUs(
  name: string,
  file: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): ChildProcess {
  return spawn('bash', ['-c', WATCHDOG, name, file, ...args], {
    ...options,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}
