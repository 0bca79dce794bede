import type { Charset } from './charset';

/** Who is on the other end of a connection (never anything from the message itself). */
export interface MllpConnectionInfo {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localPort: number;
}

/** Answers one message: the ACK text, or several (enhanced mode: accept ACK then application
 * ACK) written in order, or none (an empty array: MSH-15 and MSH-16 both NE). */
export type MllpMessageHandler = (
  text: string,
  connection: MllpConnectionInfo,
) => Promise<string | readonly string[]>;

/** What the server tells its owner, for logs and metrics: never message content. */
export type MllpServerEvent =
  | { readonly type: 'connection-opened'; readonly connection: MllpConnectionInfo }
  | {
      readonly type: 'connection-closed';
      readonly connection: MllpConnectionInfo;
      readonly reason: 'client' | 'idle-timeout' | 'noise' | 'oversize' | 'error' | 'server-close';
    }
  | {
      readonly type: 'frame-rejected';
      readonly connection: MllpConnectionInfo;
      readonly reason: 'oversize' | 'not-hl7';
      readonly size: number;
    }
  | { readonly type: 'handler-failed'; readonly connection: MllpConnectionInfo; readonly error: unknown }
  | { readonly type: 'connection-error'; readonly connection: MllpConnectionInfo; readonly error: unknown };

export interface MllpServerOptions {
  readonly onMessage: MllpMessageHandler;
  /** Largest frame accepted, bytes. Default 1 MiB. A larger one is answered AR (if its MSH
   * can be read) or the connection is closed. */
  readonly maxFrameBytes?: number;
  /** A frame begun and not ended within this many ms closes the connection. Default 30 s.
   * Measured from the frame's start: a sender trickling bytes does not extend it. */
  readonly idleTimeoutMs?: number;
  /** Bytes outside frames tolerated (CR/LF/space/tab between frames do not count) before the
   * connection is closed. Default 1024. */
  readonly maxNoiseBytes?: number;
  /** Frames waiting for their answer on one connection before reading pauses. Default 16. */
  readonly maxPendingFrames?: number;
  /** Charset of frames that do not say (MSH-18) and are not valid UTF-8. Default GB18030. */
  readonly fallbackCharset?: Charset;
  /** Time source for the ACKs the server builds itself. Default `() => new Date()`. */
  readonly clock?: () => Date;
  readonly onEvent?: (event: MllpServerEvent) => void;
}

/** The options with defaults applied; `onEvent` never throws. */
export type MllpServerSettings = Required<Omit<MllpServerOptions, 'onEvent'>> & {
  readonly onEvent: (event: MllpServerEvent) => void;
};
