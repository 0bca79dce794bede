import iconv from 'iconv-lite';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import {
  buildAck,
  buildAcks,
  mapOruR01Lab,
  MllpClient,
  MllpServer,
  outcomeOf,
  type MllpServerEvent,
} from '../src';
import { CTX, fixture, setField, withSegment } from './fixtures';

const VT = 0x0b;
const NOW = new Date('2024-03-15T02:31:00Z');

/** What intake does with a lab message: map, (append,) then answer per the acknowledgement mode. */
async function labIntake(text: string): Promise<string[]> {
  const result = mapOruR01Lab(text, CTX);
  const errors = result.ok ? [] : result.errors;
  return buildAcks(text, outcomeOf(errors), errors, { now: NOW });
}

function msa(ack: string): [string, string] {
  const line = ack.split('\r').find((l) => l.startsWith('MSA|')) ?? '';
  const [, code = '', control = ''] = line.split('|');
  return [code, control];
}

function message(controlId: string): string {
  return withSegment(fixture('cn-lis-cbc-v231.hl7'), 'MSH', 1, (l) => setField(l, 10, controlId));
}

function rawSocket(port: number): Promise<{ socket: Socket; closed: Promise<number>; received: Buffer[] }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const received: Buffer[] = [];
    const opened = Date.now();
    const closed = new Promise<number>((done) => socket.on('close', () => done(Date.now() - opened)));
    socket.on('data', (b: Buffer) => received.push(b));
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ socket, closed, received }));
    socket.once('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

describe('MllpServer over real TCP', () => {
  let server: MllpServer;
  let port: number;
  const events: MllpServerEvent[] = [];
  let handler: (text: string) => Promise<string | readonly string[]> = labIntake;
  let active = 0;
  let maxActive = 0;

  beforeAll(async () => {
    server = new MllpServer({
      onMessage: async (text) => {
        active++;
        maxActive = Math.max(maxActive, active);
        try {
          return await handler(text);
        } finally {
          active--;
        }
      },
      maxFrameBytes: 64 * 1024,
      idleTimeoutMs: 400,
      maxNoiseBytes: 256,
      onEvent: (e) => events.push(e),
      clock: () => NOW,
    });
    port = await server.listen(0, '127.0.0.1');
  });

  afterEach(() => {
    handler = labIntake;
  });

  afterAll(() => server.close(1_000));

  it('answers pipelined messages one at a time, ACKs in order', async () => {
    handler = async (text) => {
      await sleep(text.includes('|PIPE-1|') ? 60 : 5);
      return labIntake(text);
    };
    maxActive = 0;
    const client = await MllpClient.connect(port);
    const ids = ['PIPE-1', 'PIPE-2', 'PIPE-3', 'PIPE-4', 'PIPE-5'];
    const bad = withSegment(message('PIPE-3'), 'OBX', 2, (l) => setField(l, 5, 'abc'));
    const acks = await Promise.all(ids.map((id) => client.send(id === 'PIPE-3' ? bad : message(id))));
    expect(acks.map(msa)).toEqual([
      ['AA', 'PIPE-1'],
      ['AA', 'PIPE-2'],
      ['AE', 'PIPE-3'],
      ['AA', 'PIPE-4'],
      ['AA', 'PIPE-5'],
    ]);
    expect(acks[2]).toContain('|OBX^2^5|102^Data type error^HL70357|E||||OBX-5 is not a number (NM');
    expect(maxActive).toBe(1);
    await client.close();
  });

  it('answers a frame over the size limit with AR when its MSH can be read, and keeps the connection', async () => {
    const client = await MllpClient.connect(port);
    const huge = message('BIG-1') + `\rNTE|1||${'x'.repeat(100 * 1024)}`;
    const ack = await client.send(huge);
    expect(msa(ack)).toEqual(['AR', 'BIG-1']);
    expect(ack).toMatch(
      /\|MSH\^1\|207\^Application internal error\^HL70357\|E\|\|\|\|message of \d+ bytes exceeds the limit of 65536 bytes/,
    );
    expect(msa(await client.send(message('AFTER-BIG')))).toEqual(['AA', 'AFTER-BIG']);
    await client.close();
    expect(events).toContainEqual(expect.objectContaining({ type: 'frame-rejected', reason: 'oversize' }));
  });

  it('closes a connection whose oversized frame has no MSH', async () => {
    const raw = await rawSocket(port);
    raw.socket.write(
      Buffer.concat([Buffer.from([VT]), Buffer.alloc(70 * 1024, 0x41), Buffer.from([0x1c, 0x0d])]),
    );
    await raw.closed;
    expect(Buffer.concat(raw.received).length).toBe(0);
  });

  it('closes a connection that never ends its frame, even when it trickles bytes, while another sender is answered', async () => {
    const stuck = await rawSocket(port);
    stuck.socket.write(Buffer.concat([Buffer.from([VT]), Buffer.from('MSH|^~\\&|SLOW|')]));
    const trickle = setInterval(() => stuck.socket.writable && stuck.socket.write('x'), 50);
    const client = await MllpClient.connect(port);
    const answered: string[] = [];
    let done = false;
    void stuck.closed.then(() => (done = true));
    for (let i = 0; !done && i < 40; i++) {
      answered.push(msa(await client.send(message(`LIVE-${i}`)))[0]);
      await sleep(25);
    }
    clearInterval(trickle);
    const lifetime = await stuck.closed;
    expect(lifetime).toBeGreaterThanOrEqual(350);
    expect(lifetime).toBeLessThan(3_000);
    expect(answered.length).toBeGreaterThanOrEqual(2);
    expect(answered.every((c) => c === 'AA')).toBe(true);
    expect(msa(await client.send(message('STILL-HERE')))).toEqual(['AA', 'STILL-HERE']);
    await client.close();
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'connection-closed', reason: 'idle-timeout' }),
    );
  });

  it('closes a connection that sends binary noise; another sender is not disturbed', async () => {
    const noisy = await rawSocket(port);
    const client = await MllpClient.connect(port);
    const noise = Buffer.from([...randomBytes(4096)].filter((b) => b !== VT));
    noisy.socket.write(noise);
    await noisy.closed;
    expect(msa(await client.send(message('AFTER-NOISE')))).toEqual(['AA', 'AFTER-NOISE']);
    await client.close();
    expect(events).toContainEqual(expect.objectContaining({ type: 'connection-closed', reason: 'noise' }));
  });

  it('ignores a little noise and line ends before a frame', async () => {
    const client = await MllpClient.connect(port);
    client.writeRaw(Buffer.from('\r\n\r\nhello\r\n'));
    expect(msa(await client.send(message('AFTER-HELLO')))).toEqual(['AA', 'AFTER-HELLO']);
    await client.close();
  });

  it('survives a client that disconnects mid-frame', async () => {
    const raw = await rawSocket(port);
    const clientPort = raw.socket.localPort;
    raw.socket.write(Buffer.concat([Buffer.from([VT]), Buffer.from(message('HALF').slice(0, 200))]));
    await sleep(20);
    raw.socket.destroy();
    await raw.closed;
    await waitFor(() =>
      events.some((e) => e.type === 'connection-closed' && e.connection.remotePort === clientPort),
    );
    const client = await MllpClient.connect(port);
    expect(msa(await client.send(message('AFTER-HALF')))).toEqual(['AA', 'AFTER-HALF']);
    await client.close();
  });

  it('still answers a sender that ends its side right after its frame (half-close)', async () => {
    const raw = await rawSocket(port);
    raw.socket.end(
      Buffer.concat([Buffer.from([VT]), Buffer.from(message('HALF-CLOSE')), Buffer.from([0x1c, 0x0d])]),
    );
    await raw.closed;
    expect(msa(Buffer.concat(raw.received).toString('utf8'))).toEqual(['AA', 'HALF-CLOSE']);
  });

  it('answers AR 207 when the handler fails, AR to a frame that is not HL7, and keeps going', async () => {
    handler = () => Promise.reject(new Error('store down'));
    const client = await MllpClient.connect(port);
    const failed = await client.send(message('STORE-DOWN'));
    expect(msa(failed)).toEqual(['AR', 'STORE-DOWN']);
    expect(failed).toContain('|207^Application internal error^HL70357|');
    handler = labIntake;
    const notHl7 = await client.send('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(msa(notHl7)).toEqual(['AR', '']);
    expect(msa(await client.send(message('RECOVERED')))).toEqual(['AA', 'RECOVERED']);
    await client.close();
  });

  it('sends accept and application ACKs in enhanced mode (MSH-15 AL, MSH-16 AL)', async () => {
    const client = await MllpClient.connect(port);
    const acks = await client.sendExpecting(fixture('cn-lis-two-specimens-v251.hl7'), 2);
    expect(acks.map(msa)).toEqual([
      ['CA', 'XA0105-77'],
      ['AA', 'XA0105-77'],
    ]);
    await client.close();
  });

  it('answers a GB18030 message (MSH-18) in GB18030', async () => {
    const text = withSegment(message('GB-1'), 'MSH', 1, (l) => setField(l, 18, 'GB 18030-2000'));
    const client = await MllpClient.connect(port, '127.0.0.1', { charset: 'gb18030' });
    handler = async (received) => {
      expect(received).toContain('白细胞计数');
      return [
        buildAck(
          received,
          'AE',
          [{ segment: 'OBX', sequence: 1, field: 5, code: 102, message: '钾 不是数字' }],
          { now: NOW },
        ),
      ];
    };
    const ack = await client.send(text);
    expect(ack).toContain('钾 不是数字');
    expect(ack).toContain('|GB 18030-2000');
    await client.close();
    expect(iconv.encodingExists('gb18030')).toBe(true);
  });

  it('closes with connections open', async () => {
    const extra = new MllpServer({ onMessage: labIntake });
    const extraPort = await extra.listen();
    const client = await MllpClient.connect(extraPort);
    expect(msa(await client.send(message('C1')))).toEqual(['AA', 'C1']);
    await extra.close(500);
    await expect(client.send(message('C2'))).rejects.toThrow();
  });
});
