import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Checkpoint } from './log-chain';

/** An auditor's directory of checkpoints: one JSON file per checkpoint,
 * `checkpoint-<sequence, 10 digits>.json`, written whole or not at all (temporary + rename). */
const NAME = /^checkpoint-(\d{10})\.json$/;

export function checkpointFileName(sequence: number): string {
  return `checkpoint-${String(sequence).padStart(10, '0')}.json`;
}

export async function writeCheckpointFile(dir: string, checkpoint: Checkpoint): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, checkpointFileName(checkpoint.sequence));
  const temporary = `${path}.tmp-${process.pid}`;
  await writeFile(temporary, `${JSON.stringify(checkpoint)}\n`, { flag: 'wx' });
  await rename(temporary, path);
  return path;
}

async function sequences(dir: string): Promise<number[]> {
  const names = await readdir(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [] as string[];
    throw e;
  });
  return names
    .map((n) => NAME.exec(n)?.[1])
    .filter((s): s is string => s !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

export async function readCheckpointFile(dir: string, sequence: number): Promise<Checkpoint> {
  const name = checkpointFileName(sequence);
  try {
    return JSON.parse(await readFile(join(dir, name), 'utf8')) as Checkpoint;
  } catch (e) {
    throw new Error(`checkpoint file ${name} is unreadable: ${(e as Error).message}`);
  }
}

/** The checkpoints of a directory in sequence order, one file in memory at a time. */
export async function* readCheckpointDir(dir: string): AsyncGenerator<Checkpoint> {
  for (const sequence of await sequences(dir)) yield await readCheckpointFile(dir, sequence);
}

export async function lastCheckpointFile(dir: string): Promise<Checkpoint | undefined> {
  const all = await sequences(dir);
  const last = all[all.length - 1];
  return last === undefined ? undefined : readCheckpointFile(dir, last);
}
