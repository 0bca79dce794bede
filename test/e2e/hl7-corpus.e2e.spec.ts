/**
 * Replays a directory of third-party HL7 v2 messages (public corpora: CDCgov/trusted-intermediary
 * `examples/`, microsoft/FHIR-Converter `data/SampleData/Hl7v2/`, HL7/v2-to-fhir …) over MLLP
 * against the test hub and tallies the answers: MSA-1 per message, and for every non-AA the ERR
 * (code, location, text) grouped by reason. Not a pass/fail test of the corpus — a measurement:
 * it fails only when the hub gives no answer where one is due.
 *
 *   HL7_CORPUS_DIR=/work/hl7-corpus/messages npx jest test/e2e/hl7-corpus
 *   (HL7_CORPUS_OUT=<file.json> writes the per-message results as well; HL7_CORPUS_ONLY=<text>
 *   replays only the files whose name contains it and prints their replies)
 *
 * Each file is one message or several (a batch: FHS/BHS/BTS/FTS dropped, split at each MSH);
 * line ends (CRLF, LF) become CR, a UTF-8 BOM is kept as sent. A message whose MSH-15 and MSH-16
 * say NE is due no ACK: it waits a short while and counts "none (NE/NE; recorded)" or "… nothing
 * recorded" by the events the hub's log gained.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { decodeFrame, MllpFrameDecoder } from '@yilian/hl7v2';
import { startTestHub, storedEvents } from './hub-harness';

const DIR = process.env['HL7_CORPUS_DIR'];
const OUT = process.env['HL7_CORPUS_OUT'];
/** Only the files whose name contains this (and their replies printed). */
const ONLY = process.env['HL7_CORPUS_ONLY'];
const REPLY_TIMEOUT_MS = 5_000;
const NO_ACK_WAIT_MS = 1_500;

interface Sent {
  readonly name: string;
  readonly type: string;
  readonly code: string;
  readonly errors: string[];
}

function messagesOf(name: string, raw: string): { name: string; text: string }[] {
  const lines = raw
    .split(/\r\n|\n|\r/)
    .filter((l) => l.trim() !== '' && !/^(FHS|BHS|BTS|FTS)\|/.test(l.replace(/^\uFEFF/, '')));
  const out: string[][] = [];
  for (const l of lines) {
    if (/^(\uFEFF)?MSH/.test(l) || out.length === 0) out.push([l]);
    else out[out.length - 1]!.push(l);
  }
  return out
    .filter((m) => /^(\uFEFF)?MSH/.test(m[0]!))
    .map((m, i, all) => ({ name: all.length > 1 ? `${name}#${i + 1}` : name, text: m.join('\r') }));
}

const mshField = (text: string, n: number): string =>
  (text.replace(/^\uFEFF/, '').split('\r')[0] ?? '').split(text.replace(/^\uFEFF/, '')[3] ?? '|')[n - 1] ??
  '';

/** Sends one framed message on its own connection; resolves with every frame back. */
function exchange(port: number, text: string, noAckDue: boolean): Promise<string[]> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const decoder = new MllpFrameDecoder(16 * 1024 * 1024);
    const replies: string[] = [];
    const started = Date.now();
    let finished = false;
    const done = (): void => {
      if (finished) return;
      finished = true;
      if (ONLY) console.log(`done after ${Date.now() - started} ms (no ACK due: ${noAckDue})`);
      clearTimeout(timer);
      socket.destroy();
      resolve(replies);
    };
    const timer = setTimeout(done, noAckDue ? NO_ACK_WAIT_MS : REPLY_TIMEOUT_MS);
    socket.on('error', (e) => {
      if (ONLY) console.log('socket error', e.message);
      done();
    });
    socket.on('close', () => {
      if (ONLY && !socket.destroyed) console.log('socket closed by the hub');
      done();
    });
    socket.on('data', (chunk: Buffer) => {
      for (const event of decoder.push(chunk)) {
        if (event.kind !== 'frame') continue;
        const reply = decodeFrame(event.payload, 'utf8').text;
        replies.push(reply);
        const msa =
          reply
            .split('\r')
            .find((s) => s.startsWith('MSA'))
            ?.split('|')[1] ?? '';
        if (/^A[AER]$/.test(msa)) done();
      }
    });
    socket.once('connect', () =>
      socket.write(
        Buffer.concat([Buffer.from([0x0b]), Buffer.from(text, 'utf8'), Buffer.from([0x1c, 0x0d])]),
      ),
    );
  });
}

function errorsOf(ack: string): string[] {
  return ack
    .split('\r')
    .filter((s) => s.startsWith('ERR|'))
    .map((s) => {
      const f = s.split('|');
      return `${(f[3] ?? '').split('^')[0]} ${f[2] ?? f[1] ?? ''} ${f[8] ?? ''}`.trim();
    });
}

if (!DIR) {
  console.log('hl7-corpus: skipped, HL7_CORPUS_DIR is unset (a directory of HL7 v2 message files to replay)');
  describe('HL7 v2 corpus replay over MLLP', () => {
    it.skip('skipped: HL7_CORPUS_DIR is unset (set it to a directory of HL7 v2 message files to replay)', () => {});
  });
}

(DIR ? describe : describe.skip)('HL7 v2 corpus replay over MLLP (HL7_CORPUS_DIR)', () => {
  if (!DIR) return;
  let hub: Awaited<ReturnType<typeof startTestHub>>;
  beforeAll(async () => {
    hub = await startTestHub('hl7_corpus');
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('replays every message and tallies MSA-1 and the reasons', async () => {
    const port = hub.mllpPorts.get('H001')!;
    const results: Sent[] = [];
    const files = readdirSync(DIR)
      .filter((f) => !ONLY || f.includes(ONLY))
      .sort();
    for (const file of files) {
      for (const { name, text } of messagesOf(file, readFileSync(join(DIR, file), 'utf8'))) {
        const noAckDue = mshField(text, 15) === 'NE' && mshField(text, 16) === 'NE';
        const before = noAckDue ? await storedEvents(hub) : 0;
        const replies = await exchange(port, text, noAckDue);
        // no ACK due: what the hub did is in its log
        const recorded = noAckDue ? (await storedEvents(hub)) - before : 0;
        if (ONLY)
          console.log(
            name,
            replies.map((r) => r.replace(/\r/g, '\n')),
          );
        const codes = replies.map(
          (r) =>
            r
              .split('\r')
              .find((s) => s.startsWith('MSA'))
              ?.split('|')[1] ?? '?',
        );
        const app = codes.filter((c) => /^A/.test(c));
        const none = noAckDue ? `none (NE/NE; ${recorded > 0 ? 'recorded' : 'nothing recorded'})` : 'none';
        const code = app.length > 0 ? app.join('+') : codes.length > 0 ? codes.join('+') : none;
        const withCa = codes.includes('CA') && app.length > 0 ? `${code} (with CA)` : code;
        results.push({
          name,
          type: mshField(text, 9).split('^').slice(0, 2).join('^'),
          code: withCa,
          errors: replies.flatMap(errorsOf),
        });
        if (noAckDue) expect(codes.filter((c) => /^A/.test(c))).toEqual([]);
      }
    }
    const tally = new Map<string, number>();
    const reasons = new Map<string, string[]>();
    for (const r of results) {
      tally.set(r.code, (tally.get(r.code) ?? 0) + 1);
      if (r.code.startsWith('AA') || r.code.startsWith('none (NE/NE; recorded')) continue;
      const key = `${r.code.startsWith('none') ? 'none' : r.code.slice(0, 2)} ${r.type} | ${r.errors[0] ?? '(no ERR)'}`;
      reasons.set(key, [...(reasons.get(key) ?? []), r.name]);
    }
    const lines = [
      `${results.length} messages from ${files.length} files`,
      ...[...tally].sort().map(([c, n]) => `  ${c}: ${n}`),
      'non-AA by first ERR:',
      ...[...reasons]
        .sort((a, b) => b[1].length - a[1].length)
        .map(
          ([k, names]) =>
            `  ${names.length} × ${k}\n      ${names.slice(0, 4).join(', ')}${names.length > 4 ? ' …' : ''}`,
        ),
    ];
    console.log(lines.join('\n'));
    if (OUT) writeFileSync(OUT, JSON.stringify(results, null, 2));
    // every message due an ACK got one
    expect(results.filter((r) => r.code === 'none').map((r) => r.name)).toEqual([]);
  }, 900_000);
});
