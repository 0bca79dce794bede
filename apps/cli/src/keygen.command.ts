import { generateKeyPairSync } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { keyIdOf } from '@yilian/event-store';
import { EXIT } from './usage-error';

export function keygenCommand(program: Command): void {
  program
    .command('keygen')
    .description(
      'make an Ed25519 key pair for signing checkpoints: checkpoint-key.pem (private, mode 0600: keep it off the database host) and checkpoint-key.pub.pem (give it to the auditors)',
    )
    .requiredOption('--out <dir>', 'where to write the two PEM files (refuses to overwrite)')
    .action(async (options: { out: string }) => {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      await mkdir(options.out, { recursive: true });
      const secret = join(options.out, 'checkpoint-key.pem');
      const pub = join(options.out, 'checkpoint-key.pub.pem');
      await writeFile(secret, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
        flag: 'wx',
        mode: 0o600,
      });
      await writeFile(pub, publicKey.export({ type: 'spki', format: 'pem' }), { flag: 'wx' });
      process.stdout.write(`key ${keyIdOf(publicKey)}: private ${secret}, public ${pub}\n`);
      process.exitCode = EXIT.ok;
    });
}
