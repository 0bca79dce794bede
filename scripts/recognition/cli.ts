/* Loads recognition rules (检查检验结果互认) into a running hub through the intake's operator
 * routes, and prints what was recorded — or every problem, row by row (exit code 1).
 *
 *   npm run recognition -- load-catalogue --scope province:42 --effective-from 2024-01-01 \
 *     --source "鄂卫通〔2023〕56号" catalogue.csv
 *   npm run recognition -- withdraw --scope province:42 --effective-from 2025-01-01 --source "…" codes.csv
 *   npm run recognition -- load-scope scope.json
 *   npm run recognition -- load-quality statuses.csv
 *   npm run recognition -- load-code-map --institution DEMOS1 map.csv
 *
 * --url: the intake (default http://127.0.0.1:$HUB_HTTP_PORT, 8080: `npm start`'s hub).
 * --token: the operator's API key (default $YILIAN_OPERATOR_KEY, else the alliance operator's
 * key in data/hub-secrets.json, which `npm start` writes). A .json file is sent as JSON, any
 * other as text/csv (--encoding gb18030 for Excel's CSV on Chinese Windows). */
import { existsSync, readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { formatProblem, type LoadProblem } from '@yilian/recognition';

interface Common {
  url: string;
  token?: string;
  encoding: 'utf-8' | 'gb18030';
}

function operatorKey(o: Common): string {
  if (o.token) return o.token;
  if (process.env['YILIAN_OPERATOR_KEY']) return process.env['YILIAN_OPERATOR_KEY'];
  const secrets = resolve(process.env['HUB_DATA_DIR'] ?? 'data', 'hub-secrets.json');
  if (existsSync(secrets)) {
    const kept = JSON.parse(readFileSync(secrets, 'utf8')) as { allianceOperator?: { apiKey?: string } };
    if (kept.allianceOperator?.apiKey) return kept.allianceOperator.apiKey;
  }
  throw new Error(
    `no operator key: give --token, set YILIAN_OPERATOR_KEY, or run from the hub's directory (${secrets})`,
  );
}

async function send(
  o: Common,
  path: string,
  file: string,
  query: Record<string, string | undefined> = {},
): Promise<number> {
  const json = extname(file).toLowerCase() === '.json';
  const body = readFileSync(file);
  const params = new URLSearchParams(
    Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined),
  );
  const url = `${o.url.replace(/\/$/, '')}${path}${params.size > 0 ? `?${params.toString()}` : ''}`;
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${operatorKey(o)}`,
      'content-type': json ? 'application/json' : `text/csv; charset=${o.encoding}`,
    },
    body,
  });
  const text = await res.text();
  let answer: Record<string, unknown> = {};
  try {
    answer = JSON.parse(text) as Record<string, unknown>;
  } catch {
    answer = { message: text.slice(0, 500) };
  }
  if (res.status === 422 && Array.isArray(answer['problems'])) {
    const problems = answer['problems'] as { row: number | null; column: string | null; message: string }[];
    console.error(
      `${file}: rejected, ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was recorded`,
    );
    for (const p of problems) {
      const problem: LoadProblem = {
        ...(p.row !== null ? { row: p.row } : {}),
        ...(p.column !== null ? { column: p.column } : {}),
        message: p.message,
      };
      console.error(`  ${formatProblem(problem)}`);
    }
    return 1;
  }
  if (res.status !== 200 && res.status !== 201) {
    console.error(`${file}: ${res.status} ${shown(answer['message'] ?? answer['error'] ?? text)}`);
    return 1;
  }
  const { recorded, events, message, ...counts } = answer;
  console.log(
    recorded
      ? `${file}: recorded (${String(events)} event${events === 1 ? '' : 's'})`
      : `${file}: ${typeof message === 'string' ? message : 'nothing was recorded'}`,
  );
  for (const [k, v] of Object.entries(counts))
    if (!Array.isArray(v) || v.length > 0)
      console.log(`  ${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`);
  return 0;
}

function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function program(): Command {
  const cli = new Command('recognition')
    .description('load recognition rules (scopes, catalogues, quality statuses, code maps) into the hub')
    .option('--url <url>', 'the intake', `http://127.0.0.1:${process.env['HUB_HTTP_PORT'] ?? '8080'}`)
    .option('--token <key>', 'the operator API key (default $YILIAN_OPERATOR_KEY or data/hub-secrets.json)')
    .addOption(
      new Option('--encoding <charset>', "a CSV file's encoding")
        .choices(['utf-8', 'gb18030'])
        .default('utf-8'),
    );
  const run = (action: (o: Common) => Promise<number>) => async () => {
    process.exitCode = await action(cli.opts<Common>());
  };
  const catalogueOptions = (c: Command) =>
    c
      .requiredOption('--scope <scope>', 'the scope code, e.g. province:42, alliance:demo-alliance')
      .requiredOption('--effective-from <day>', 'the day it takes effect, YYYY-MM-DD')
      .requiredOption('--source <document>', 'the publishing document, e.g. 鄂卫通〔2023〕56号');

  catalogueOptions(
    cli.command('load-catalogue').description('publish or amend catalogue items (CSV or JSON)'),
  )
    .option('--sample', 'mark the items as sample data')
    .argument('<file>')
    .action((file: string, c: { scope: string; effectiveFrom: string; source: string; sample?: boolean }) =>
      run((o) =>
        send(o, `/recognition/catalogues/${encodeURIComponent(c.scope)}`, file, {
          effectiveFrom: c.effectiveFrom,
          source: c.source,
          sample: c.sample ? 'true' : undefined,
        }),
      )(),
    );
  catalogueOptions(
    cli
      .command('withdraw')
      .description('withdraw catalogue items (CSV with a code column, or JSON {itemCodes})'),
  )
    .argument('<file>')
    .action((file: string, c: { scope: string; effectiveFrom: string; source: string }) =>
      run((o) =>
        send(o, `/recognition/catalogues/${encodeURIComponent(c.scope)}/withdrawals`, file, {
          effectiveFrom: c.effectiveFrom,
          source: c.source,
        }),
      )(),
    );
  cli
    .command('load-scope')
    .description('define a scope and its direction rules (JSON)')
    .argument('<file>')
    .action((file: string) => run((o) => send(o, '/recognition/scopes', file))());
  cli
    .command('load-quality')
    .description('record quality statuses (质控合格), revoking rows with revokedFrom (CSV or JSON)')
    .option('--sample', 'mark the statuses as sample data')
    .argument('<file>')
    .action((file: string, c: { sample?: boolean }) =>
      run((o) => send(o, '/recognition/quality-statuses', file, { sample: c.sample ? 'true' : undefined }))(),
    );
  cli
    .command('load-code-map')
    .description("map an institution's own codes to catalogue items (CSV or JSON)")
    .requiredOption('--institution <code>', 'the institution whose codes they are')
    .argument('<file>')
    .action((file: string, c: { institution: string }) =>
      run((o) => send(o, `/recognition/code-maps/${encodeURIComponent(c.institution)}`, file))(),
    );
  return cli;
}

program()
  .parseAsync(process.argv)
  .catch((e: unknown) => {
    console.error((e as Error).message);
    process.exitCode = 1;
  });
