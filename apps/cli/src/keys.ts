import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { loadSigningKey, loadVerifyingKey } from '@yilian/event-store';
import { UsageError } from './usage-error';

/** The checkpoint signing key: a PEM file named by --key or YILIAN_CHECKPOINT_KEY_FILE. It
 * lives with the checkpointer (or an HSM-backed file mount), never in the database. */
export function signingKey(file: string | undefined): KeyObject {
  const path = file ?? process.env.YILIAN_CHECKPOINT_KEY_FILE;
  if (!path)
    throw new UsageError('the signing key is missing: --key <pem file> or YILIAN_CHECKPOINT_KEY_FILE');
  return loadSigningKey(readPem(path, 'signing key'));
}

/** The public key checkpoints are verified with: --public-key or YILIAN_CHECKPOINT_PUBLIC_KEY_FILE. */
export function verifyingKey(file: string | undefined): KeyObject {
  const path = file ?? process.env.YILIAN_CHECKPOINT_PUBLIC_KEY_FILE;
  if (!path)
    throw new UsageError(
      'checking checkpoints needs their public key: --public-key <pem file> or YILIAN_CHECKPOINT_PUBLIC_KEY_FILE',
    );
  return loadVerifyingKey(readPem(path, 'public key'));
}

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(
      `cannot read the ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}
