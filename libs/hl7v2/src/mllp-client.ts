/**
 * A small MLLP client for tests, benchmarks and examples: sends framed messages on one
 * socket and resolves each with the framed reply it gets back, in order (pipelining allowed).
 */
import { connect, type Socket } from 'node:net';
import { decodeFrame, encodeText, type Charset } from './charset';
import { frame } from './mllp-replies';
import { MllpFrameDecoder } from './mllp-frame-decoder';

export interface MllpClientOptions {
  /** A reply not received within this many ms fails every pending send and closes the socket. */
  readonly ackTimeoutMs?: number;
  readonly charset?: Charset;
  readonly maxFrameBytes?: number;
}

interface Pending {
  readonly expected: number;
  readonly replies: string[];
  readonly resolve: (replies: string[]) => void;
  readonly reject: (error: Error) => void;
}

export class MllpClient {
  private readonly decoder: MllpFrameDecoder;
  private readonly pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private failure: Error | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly options: Required<MllpClientOptions>,
  ) {
    this.decoder = new MllpFrameDecoder(options.maxFrameBytes);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('MLLP connection closed')));
  }

  static connect(port: number, host = '127.0.0.1', options: MllpClientOptions = {}): Promise<MllpClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(
          new MllpClient(socket, {
            ackTimeoutMs: options.ackTimeoutMs ?? 30_000,
            charset: options.charset ?? 'utf8',
            maxFrameBytes: options.maxFrameBytes ?? 16 * 1024 * 1024,
          }),
        );
      });
    });
  }

  /** Sends one message; resolves with the one reply to it. */
  async send(text: string): Promise<string> {
    const [reply] = await this.sendExpecting(text, 1);
    return reply!;
  }

  /** Sends one message and waits for `count` replies (enhanced mode: accept + application ACK). */
  sendExpecting(text: string, count: number): Promise<string[]> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.push({ expected: count, replies: [], resolve, reject });
      this.socket.write(frame(encodeText(text, this.options.charset)));
      if (!this.timer) this.armTimer();
    });
  }

  /** Writes bytes as they are, unframed (tests of what a broken sender does). */
  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Ends the connection; pending sends fail. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1_000).unref();
    });
  }

  private armTimer(): void {
    this.timer = setTimeout(() => {
      this.fail(new Error(`no MLLP reply within ${this.options.ackTimeoutMs} ms`));
      this.socket.destroy();
    }, this.options.ackTimeoutMs);
    this.timer.unref();
  }

  private onData(chunk: Buffer): void {
    for (const event of this.decoder.push(chunk)) {
      const head = this.pending[0];
      if (!head || event.kind !== 'frame') continue;
      head.replies.push(decodeFrame(event.payload, this.options.charset).text);
      if (head.replies.length >= head.expected) {
        this.pending.shift();
        head.resolve(head.replies);
      }
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      if (this.pending.length > 0) this.armTimer();
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const p of this.pending.splice(0)) p.reject(error);
  }
}
