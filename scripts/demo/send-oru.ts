/* Sends one sample ORU^R01 lab result over MLLP and prints the ACK.
 * Usage: node -r @swc-node/register scripts/demo/send-oru.ts [host] [port] [accession] */
import { MllpClient } from '@yilian/hl7v2';
import { oruR01, SAMPLE_RESIDENT_ID } from '@yilian/testing';

async function main(): Promise<void> {
  const [host = '127.0.0.1', port = '2575', accession = `DEMO-${Date.now()}`] = process.argv.slice(2);
  const client = await MllpClient.connect(Number(port), host);
  try {
    const ack = await client.send(
      oruR01({ controlId: accession, accession, residentId: SAMPLE_RESIDENT_ID }),
    );
    console.log(ack.split('\r').join('\n'));
  } finally {
    await client.close();
  }
}

main().catch((e: unknown) => {
  console.error((e as Error).message);
  process.exit(1);
});
