/**
 * One MLLP connection on the server side: frames in, handler called for one frame at a time
 * (pipelined frames wait their turn, so ACKs go back in order), ACKs out. Nothing a peer sends
 * can make it throw: every socket callback is guarded, every failure ends in an ACK or a close.
 */
import type { Socket } from 'node:net';
import { decodeFrame, encodeText, type Charset } from './charset';
import { MllpFrameDecoder, type MllpFrameEvent } from './mllp-frame-decoder';
import { parseHl7Header } from './hl7-parse';
import { frame, HANDLER_FAILED, oversizeError, serverAcks } from './mllp-replies';
import type { MllpConnectionInfo, MllpServerSettings } from './mllp-server.types';

export type CloseReason = 'client' | 'idle-timeout' | 'noise' | 'oversize' | 'error' | 'server-close';

export class MllpServerConnection {
  readonly info: MllpConnectionInfo;
  private readonly decoder: MllpFrameDecoder;
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;
  private paused = false;
  private readEnded = false;
  private closing = false;
  private frameStartedAt = 0;
  private frameTimer: NodeJS.Timeout | undefined;
  private closeReason: CloseReason = 'client';

  constructor(
    private readonly socket: Socket,
    private readonly settings: MllpServerSettings,
    private readonly onClosed: (connection: MllpServerConnection, reason: CloseReason) => void,
  ) {
    this.info = {
      remoteAddress: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
      localPort: socket.localPort ?? 0,
    };
    this.decoder = new MllpFrameDecoder(settings.maxFrameBytes);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.guard(() => this.onData(chunk)));
    socket.on('end', () => this.guard(() => this.onEnd()));
    socket.on('error', () => this.destroy('error'));
    socket.on('close', () => this.guard(() => this.onSocketClose()));
  }

  /** Stops reading, lets queued frames be answered, then ends the connection. */
  shutdown(): Promise<void> {
    this.closing = true;
    this.socket.pause();
    return this.queue.then(() => {
      this.closeReason = 'server-close';
      this.socket.end();
    });
  }

  destroy(reason: CloseReason): void {
    // the first reason is the one to report (a reset that follows a close is not news)
    if (this.closeReason === 'client') this.closeReason = reason;
    this.clearFrameTimer();
    this.socket.destroy();
  }

  private guard(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.settings.onEvent({ type: 'connection-error', connection: this.info, error });
      this.destroy('error');
    }
  }

  private onData(chunk: Buffer): void {
    if (this.closing || this.socket.destroyed) return;
    const events = this.decoder.push(chunk);
    if (this.decoder.noiseBytes > this.settings.maxNoiseBytes) {
      this.destroy('noise');
      return;
    }
    for (const event of events) this.enqueue(event);
    if (!this.decoder.inProgress) this.frameStartedAt = 0;
    else if (this.frameStartedAt === 0 || events.length > 0) this.frameStartedAt = Date.now();
    if (this.frameStartedAt !== 0 && !this.frameTimer) this.armFrameTimer(this.settings.idleTimeoutMs);
  }

  private armFrameTimer(delay: number): void {
    this.frameTimer = setTimeout(() => this.guard(() => this.onFrameTimer()), Math.max(1, delay));
    this.frameTimer.unref();
  }

  private onFrameTimer(): void {
    this.frameTimer = undefined;
    if (this.frameStartedAt === 0 || !this.decoder.inProgress) return;
    const waited = Date.now() - this.frameStartedAt;
    if (waited >= this.settings.idleTimeoutMs) this.destroy('idle-timeout');
    else this.armFrameTimer(this.settings.idleTimeoutMs - waited);
  }

  private clearFrameTimer(): void {
    if (this.frameTimer) clearTimeout(this.frameTimer);
    this.frameTimer = undefined;
  }

  private onEnd(): void {
    this.readEnded = true;
    if (this.pending === 0) this.socket.end();
  }

  private onSocketClose(): void {
    this.clearFrameTimer();
    this.onClosed(this, this.closeReason);
  }

  private enqueue(event: MllpFrameEvent): void {
    this.pending++;
    if (this.pending >= this.settings.maxPendingFrames && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
    this.queue = this.queue
      .then(() => this.answer(event))
      .catch((error: unknown) =>
        this.settings.onEvent({ type: 'connection-error', connection: this.info, error }),
      )
      .finally(() => this.afterAnswer());
  }

  private afterAnswer(): void {
    this.pending--;
    if (this.paused && this.pending < this.settings.maxPendingFrames && !this.closing) {
      this.paused = false;
      this.socket.resume();
    }
    if (this.readEnded && this.pending === 0 && !this.socket.destroyed) this.socket.end();
  }

  private async answer(event: MllpFrameEvent): Promise<void> {
    if (event.kind === 'oversize') return this.answerOversize(event.head, event.size);
    const { text, charset } = decodeFrame(event.payload, this.settings.fallbackCharset);
    const header = parseHl7Header(text);
    const now = this.settings.clock;
    if (!header.ok) {
      const size = event.payload.length;
      this.settings.onEvent({ type: 'frame-rejected', connection: this.info, reason: 'not-hl7', size });
      return this.write(serverAcks(header, text, 'rejected', header.errors, now()), charset);
    }
    let replies: string | readonly string[];
    try {
      replies = await this.settings.onMessage(text, this.info);
      if (typeof replies !== 'string' && !Array.isArray(replies))
        throw new TypeError('onMessage gave no ACK');
    } catch (error) {
      this.settings.onEvent({ type: 'handler-failed', connection: this.info, error });
      replies = serverAcks(header, text, 'internal-error', [HANDLER_FAILED], now());
    }
    this.write(replies, charset);
  }

  private answerOversize(head: Buffer, size: number): void {
    this.settings.onEvent({ type: 'frame-rejected', connection: this.info, reason: 'oversize', size });
    const { text, charset } = decodeFrame(head, this.settings.fallbackCharset);
    const header = parseHl7Header(text);
    if (!header.ok) return this.destroy('oversize');
    const error = oversizeError(size, this.settings.maxFrameBytes);
    this.write(serverAcks(header, text, 'rejected', [error], this.settings.clock()), charset);
  }

  private write(replies: string | readonly string[], charset: Charset): void {
    if (this.socket.destroyed || !this.socket.writable) return;
    const list = typeof replies === 'string' ? [replies] : replies;
    for (const reply of list) {
      if (typeof reply === 'string' && reply.length > 0) this.socket.write(frame(encodeText(reply, charset)));
    }
  }
}
