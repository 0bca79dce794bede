import { runCli } from './testing/cli-harness';

const COMMANDS = ['verify', 'checkpoint', 'keygen', 'rebuild', 'replay', 'export'];

it('lists every command, and each answers --help with its options, exit 0', async () => {
  const top = await runCli(['--help']);
  expect(top.code).toBe(0);
  for (const c of COMMANDS) expect(top.stdout).toMatch(new RegExp(`^  ${c} \\[options\\]`, 'm'));
  const helps = await Promise.all(COMMANDS.map((c) => runCli([c, '--help'])));
  helps.forEach((h, i) => {
    expect(h.code).toBe(0);
    expect(h.stdout).toContain(`Usage: yilian ${COMMANDS[i]} [options]`);
    expect(h.stdout).toMatch(/^\s+-h, --help\s+display help for command$/m);
  });
}, 120_000);

it('answers a wrong command or option with exit 2 and the usage', async () => {
  const unknown = await runCli(['verfy']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain("error: unknown command 'verfy'");
  const option = await runCli(['export', '--store', 'postgres://x/y', '--from', 'yesterday']);
  expect(option.code).toBe(2);
  expect(option.stderr).toContain('--from must be a global position commit/prepare');
  const url = await runCli(['verify', '--store', 'mysql://h/db']);
  expect(url.code).toBe(2);
  expect(url.stderr).toContain('--store must be a PostgreSQL URL (postgres://…), not "mysql://h/db"');
}, 120_000);
