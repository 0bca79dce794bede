/**
 * MLLP framing (HL7 v2 Transport Specification, MLLP release 2): `<VT> message <FS><CR>`.
 * A push-based decoder with bounded memory:
 * - a frame ends at FS (the CR after it is accepted, and optional: some senders omit it);
 * - a VT inside a frame restarts the frame (a sender that gave up on a frame and began again);
 * - a frame longer than `maxFrameBytes` is not kept: its first bytes are (to read the MSH of
 *   the reply), the rest is dropped until its FS, then it is reported as oversized;
 * - bytes outside a frame are counted as noise, except CR / LF / space / tab between frames.
 */
export const VT = 0x0b;
export const FS = 0x1c;
export const CR = 0x0d;

export type MllpFrameEvent =
  | { readonly kind: 'frame'; readonly payload: Buffer }
  | { readonly kind: 'oversize'; readonly head: Buffer; readonly size: number };

/** How much of an oversized frame is kept to answer it. */
export const OVERSIZE_HEAD_BYTES = 4096;

function isBlank(byte: number): boolean {
  return byte === CR || byte === 0x0a || byte === 0x20 || byte === 0x09;
}

export class MllpFrameDecoder {
  private parts: Buffer[] = [];
  private size = 0;
  private inFrame = false;
  private oversize = false;
  /** Noise bytes since the last complete frame. */
  noiseBytes = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** True while a frame has started and not ended. */
  get inProgress(): boolean {
    return this.inFrame;
  }

  /** Feeds bytes; returns the frames they completed, in order. */
  push(chunk: Buffer): MllpFrameEvent[] {
    const events: MllpFrameEvent[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      if (!this.inFrame) {
        const start = chunk.indexOf(VT, pos);
        const noiseEnd = start === -1 ? chunk.length : start;
        for (let i = pos; i < noiseEnd; i++) if (!isBlank(chunk[i]!)) this.noiseBytes++;
        if (start === -1) break;
        this.beginFrame();
        pos = start + 1;
        continue;
      }
      const end = chunk.indexOf(FS, pos);
      const restart = chunk.indexOf(VT, pos);
      if (restart !== -1 && (end === -1 || restart < end)) {
        this.noiseBytes += this.size + (restart - pos);
        this.beginFrame();
        pos = restart + 1;
        continue;
      }
      this.append(chunk.subarray(pos, end === -1 ? chunk.length : end));
      if (end === -1) break;
      events.push(this.endFrame());
      pos = end + 1;
    }
    return events;
  }

  private beginFrame(): void {
    this.inFrame = true;
    this.oversize = false;
    this.parts = [];
    this.size = 0;
  }

  private append(bytes: Buffer): void {
    if (bytes.length === 0) return;
    const total = this.size + bytes.length;
    if (this.oversize) {
      // keep filling the head (to read the MSH of the reply), drop the rest
      const head = this.parts[0]!;
      if (head.length < OVERSIZE_HEAD_BYTES) {
        this.parts[0] = Buffer.concat([head, bytes.subarray(0, OVERSIZE_HEAD_BYTES - head.length)]);
      }
    } else if (total > this.maxFrameBytes) {
      this.oversize = true;
      this.parts = [Buffer.from(Buffer.concat([...this.parts, bytes]).subarray(0, OVERSIZE_HEAD_BYTES))];
    } else {
      // copy: the socket may reuse the chunk's memory
      this.parts.push(Buffer.from(bytes));
    }
    this.size = total;
  }

  private endFrame(): MllpFrameEvent {
    const parts = this.parts;
    const size = this.size;
    const oversize = this.oversize;
    this.inFrame = false;
    this.oversize = false;
    this.parts = [];
    this.size = 0;
    this.noiseBytes = 0;
    if (oversize) return { kind: 'oversize', head: parts[0] ?? Buffer.alloc(0), size };
    const payload = parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
    return { kind: 'frame', payload };
  }
}
