import { WORKER_SEMI_SPACE_MB, workerExecArgv } from './workers';

describe('workerExecArgv', () => {
  it("adds the workers' semi-space to the primary's node options", () => {
    expect(workerExecArgv(['--enable-source-maps'])).toEqual([
      '--enable-source-maps',
      `--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`,
    ]);
  });

  it('keeps a semi-space given on the command line or in NODE_OPTIONS', () => {
    expect(workerExecArgv(['--max-semi-space-size=8'])).toEqual(['--max-semi-space-size=8']);
    expect(workerExecArgv(['-r', 'x'], '--inspect --max-semi-space-size=64')).toEqual(['-r', 'x']);
  });
});
