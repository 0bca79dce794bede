/**
 * The demo's recognition rules (sample data, not an official catalogue: samples/recognition/):
 * the scopes `province:42` (湖北省, 鄂HR) and `alliance:demo-alliance`, the sample catalogue in
 * both, the demo institutions' quality statuses and DEMOS1's code map. Loaded through the
 * intake's operator routes — the same parsing and checks as any operator's file — on every
 * start of a demo data dir: each load of an unchanged file answers 200 and records nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const SAMPLE_SCOPES = ['province:42', 'alliance:demo-alliance'] as const;
export const SAMPLE_CATALOGUE_EFFECTIVE_FROM = '2024-01-01';
export const SAMPLE_CATALOGUE_SOURCE = '鄂卫通〔2023〕56号（示例数据：窗口期取自该文件，非官方目录）';

/** samples/recognition, found from here up (the sources under apps/, the build under dist/). */
export function sampleRecognitionDir(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'samples', 'recognition');
    if (existsSync(join(candidate, 'README.md'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`demo: samples/recognition not found above ${from}`);
  }
}

export interface RecognitionLoad {
  readonly path: string;
  readonly body: string;
  readonly type: 'application/json' | 'text/csv';
}

/** The loads, in order: scopes, catalogues, quality statuses, code map. */
export function sampleRecognitionLoads(dir = sampleRecognitionDir()): RecognitionLoad[] {
  const file = (name: string) => readFileSync(join(dir, name), 'utf8');
  const catalogue = file('sample-catalogue-hubei.csv');
  const query = `effectiveFrom=${SAMPLE_CATALOGUE_EFFECTIVE_FROM}&source=${encodeURIComponent(SAMPLE_CATALOGUE_SOURCE)}&sample=true`;
  return [
    { path: '/recognition/scopes', body: file('sample-scope-province-42.json'), type: 'application/json' },
    {
      path: '/recognition/scopes',
      body: file('sample-scope-alliance-demo-alliance.json'),
      type: 'application/json',
    },
    ...SAMPLE_SCOPES.map((scope): RecognitionLoad => ({
      path: `/recognition/catalogues/${encodeURIComponent(scope)}?${query}`,
      body: catalogue,
      type: 'text/csv',
    })),
    {
      path: '/recognition/quality-statuses?sample=true',
      body: file('sample-quality-statuses.csv'),
      type: 'text/csv',
    },
    { path: '/recognition/code-maps/DEMOS1', body: file('sample-code-map-DEMOS1.csv'), type: 'text/csv' },
  ];
}

/** Loads the sample rules with the operator's key; an answer other than 200 / 201 stops it. */
export async function seedRecognitionSamples(o: { httpUrl: string; operatorKey: string }): Promise<void> {
  for (const load of sampleRecognitionLoads()) {
    const res = await fetch(`${o.httpUrl}${load.path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${o.operatorKey}`, 'content-type': load.type },
      body: load.body,
    });
    const text = await res.text();
    if (res.status !== 200 && res.status !== 201)
      throw new Error(`demo: loading ${load.path.split('?')[0]} answered ${res.status}: ${text}`);
  }
}
