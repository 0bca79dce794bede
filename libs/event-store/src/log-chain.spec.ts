import { generateKeyPairSync } from 'node:crypto';
import {
  type Checkpoint,
  checkpointProblem,
  LOG_GENESIS,
  type LogEntry,
  logChainHash,
  signCheckpoint,
} from './log-chain';

const entries: LogEntry[] = [
  ['10/1', 'labreport-H001-A1', '0', 'a'.repeat(64)],
  ['10/2', 'referral-R1', '0', 'b'.repeat(64)],
];

function checkpoint(privateKey = generateKeyPairSync('ed25519').privateKey): Checkpoint {
  const logHash = entries.reduce(logChainHash, LOG_GENESIS);
  return signCheckpoint(
    {
      sequence: 1,
      previousPosition: null,
      previousLogHash: LOG_GENESIS,
      position: '10/2',
      logHash,
      count: 2,
      time: '2026-12-06T23:00:00.000Z',
      entries,
    },
    privateKey,
  );
}

describe('signed checkpoints', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');

  it('holds as signed', () => {
    expect(checkpointProblem(checkpoint(privateKey), publicKey)).toBeUndefined();
  });

  it('refuses a changed signed field, a changed entry, another key', () => {
    const c = checkpoint(privateKey);
    expect(checkpointProblem({ ...c, count: 3 }, publicKey)).toBe(
      'signature does not verify (the checkpoint was altered)',
    );
    const changed: LogEntry[] = [entries[0]!, ['10/2', 'referral-R1', '0', 'c'.repeat(64)]];
    expect(checkpointProblem({ ...c, entries: changed }, publicKey)).toBe(
      'its events do not chain to its signed log hash (altered)',
    );
    expect(checkpointProblem({ ...c, entries: [entries[0]!] }, publicKey)).toBe(
      'its events do not chain to its signed log hash (altered)',
    );
    const other = checkpoint();
    expect(checkpointProblem(other, publicKey)).toMatch(
      /^signed by key [0-9a-f]{16}, not by the given public key/,
    );
  });

  it('chains every entry: a position, stream, revision or content changed changes the log hash', () => {
    const base = logChainHash(LOG_GENESIS, entries[0]!);
    for (const i of [0, 1, 2, 3]) {
      const changed = [...entries[0]!] as [string, string, string, string];
      changed[i] = `${changed[i]}x`;
      expect(logChainHash(LOG_GENESIS, changed)).not.toBe(base);
    }
  });
});
