/**
 * An MLLP server: a `net.Server` that frames, decodes and answers HL7 v2 messages, one at a
 * time per connection, with limits on frame size, unfinished frames and noise. See
 * mllp-connection.ts for what happens on one connection.
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { MllpServerConnection } from './mllp-connection';
import type { MllpServerEvent, MllpServerOptions, MllpServerSettings } from './mllp-server.types';

export const MLLP_DEFAULTS = {
  maxFrameBytes: 1024 * 1024,
  idleTimeoutMs: 30_000,
  maxNoiseBytes: 1024,
  maxPendingFrames: 16,
} as const;

export class MllpServer {
  private readonly settings: MllpServerSettings;
  private readonly server: Server;
  private readonly connections = new Set<MllpServerConnection>();

  constructor(options: MllpServerOptions) {
    this.settings = {
      onMessage: options.onMessage,
      maxFrameBytes: options.maxFrameBytes ?? MLLP_DEFAULTS.maxFrameBytes,
      idleTimeoutMs: options.idleTimeoutMs ?? MLLP_DEFAULTS.idleTimeoutMs,
      maxNoiseBytes: options.maxNoiseBytes ?? MLLP_DEFAULTS.maxNoiseBytes,
      maxPendingFrames: Math.max(1, options.maxPendingFrames ?? MLLP_DEFAULTS.maxPendingFrames),
      fallbackCharset: options.fallbackCharset ?? 'gb18030',
      clock: options.clock ?? (() => new Date()),
      onEvent: (event) => {
        try {
          options.onEvent?.(event);
        } catch {
          // a logging hook that throws must not take a connection down
        }
      },
    };
    // allowHalfOpen: a sender may send its frame and end its side; the ACK still goes back
    this.server = createServer({ allowHalfOpen: true }, (socket) => {
      const connection = new MllpServerConnection(socket, this.settings, (closed, reason) => {
        this.connections.delete(closed);
        this.emit({ type: 'connection-closed', connection: closed.info, reason });
      });
      this.connections.add(connection);
      this.emit({ type: 'connection-opened', connection: connection.info });
    });
    this.server.on('error', (error) =>
      this.emit({ type: 'connection-error', connection: NO_CONNECTION, error }),
    );
  }

  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(port = 0, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Stops accepting, answers the frames already received, closes every connection. A
   * connection that does not finish within `graceMs` is destroyed. */
  async close(graceMs = 5_000): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const open = [...this.connections];
    const timer = setTimeout(() => open.forEach((c) => c.destroy('server-close')), graceMs);
    timer.unref();
    await Promise.all(open.map((c) => c.shutdown()));
    await closed;
    clearTimeout(timer);
  }

  private emit(event: MllpServerEvent): void {
    this.settings.onEvent(event);
  }
}

const NO_CONNECTION = { remoteAddress: '', remotePort: 0, localPort: 0 } as const;
