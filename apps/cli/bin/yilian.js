#!/usr/bin/env node
// `yilian` / `npm run cli --`: in a development checkout (the sources and @swc-node/register
// at hand) the TypeScript sources, so it is never a stale build; otherwise the built CLI
// (npm run build → dist/apps/cli/src/main.js).
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { Module } = require('node:module');

const root = join(__dirname, '..', '..', '..');
const source = join(root, 'apps', 'cli', 'src', 'main.ts');
const built = join(root, 'dist', 'apps', 'cli', 'src', 'main.js');
let register;
try {
  register = require.resolve('@swc-node/register');
} catch {
  register = undefined;
}
if (existsSync(source) && register && process.env.YILIAN_CLI_BUILT !== '1') {
  process.env.SWC_NODE_PROJECT ??= join(root, 'tsconfig.json');
  require(register);
  process.argv[1] = source;
  Module._load(source, null, true);
} else if (existsSync(built)) {
  process.argv[1] = built;
  Module._load(built, null, true);
} else {
  process.stderr.write('yilian: not built (npm run build) and no @swc-node/register to run the sources\n');
  process.exit(2);
}
