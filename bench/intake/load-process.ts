/**
 * The load generator in a process of its own, so that it does not take event-loop time from
 * the hub it measures. Driven by load-child.ts over the IPC channel: `{ type: 'run', spec }`
 * answers `{ type: 'result', result }` or `{ type: 'error', message }`.
 */
import { type LoadSpec, runLoad } from './load';

export type LoadRequest = { readonly type: 'run'; readonly spec: LoadSpec };

process.on('message', (request: LoadRequest) => {
  if (request.type !== 'run') return;
  runLoad(request.spec).then(
    (result) => process.send!({ type: 'result', result }),
    (e: unknown) => process.send!({ type: 'error', message: (e as Error).message }),
  );
});
// The parent gone, nothing is left to do.
process.on('disconnect', () => process.exit(0));
