import fc from 'fast-check';
import { MllpFrameDecoder, type MllpFrameEvent } from '../src';

const VT = '\x0b';
const END = '\x1c\r';

function feed(decoder: MllpFrameDecoder, ...chunks: (string | Buffer)[]): string[] {
  const out: string[] = [];
  for (const c of chunks) {
    for (const e of decoder.push(typeof c === 'string' ? Buffer.from(c, 'latin1') : c)) {
      out.push(
        e.kind === 'frame' ? e.payload.toString('latin1') : `oversize:${e.size}:${e.head.toString('latin1')}`,
      );
    }
  }
  return out;
}

describe('MllpFrameDecoder', () => {
  it('returns pipelined frames in order, whatever the chunking', () => {
    const wire = `${VT}MSH|1${END}${VT}MSH|2${END}\r\n${VT}MSH|3${END}`;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: wire.length - 1 }), { maxLength: 8 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks: string[] = [];
        let from = 0;
        for (const p of points) {
          chunks.push(wire.slice(from, p));
          from = p;
        }
        chunks.push(wire.slice(from));
        const decoder = new MllpFrameDecoder(1024);
        expect(feed(decoder, ...chunks)).toEqual(['MSH|1', 'MSH|2', 'MSH|3']);
        expect(decoder.noiseBytes).toBe(0);
        expect(decoder.inProgress).toBe(false);
      }),
    );
  });

  it('ends a frame at FS even without the CR, and restarts a frame at a second VT', () => {
    const decoder = new MllpFrameDecoder(1024);
    expect(feed(decoder, `${VT}MSH|a\x1c${VT}MSH|b${END}`)).toEqual(['MSH|a', 'MSH|b']);
    expect(feed(decoder, `${VT}half a frame${VT}MSH|c${END}`)).toEqual(['MSH|c']);
  });

  it('counts bytes outside frames as noise, but not line ends between frames', () => {
    const decoder = new MllpFrameDecoder(1024);
    expect(feed(decoder, 'hello\r\n', `${VT}MSH|x`)).toEqual([]);
    expect(decoder.noiseBytes).toBe(5);
    expect(decoder.inProgress).toBe(true);
    expect(feed(decoder, END)).toEqual(['MSH|x']);
    expect(decoder.noiseBytes).toBe(0);
  });

  it('drops an oversized frame but keeps its head, and goes on with the next frame', () => {
    const decoder = new MllpFrameDecoder(10);
    const events: MllpFrameEvent[] = [];
    for (const chunk of [`${VT}MSH|0123456`, '789abcdef', `ghij${END}${VT}MSH|ok${END}`]) {
      events.push(...decoder.push(Buffer.from(chunk)));
    }
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ kind: 'oversize', size: 24 });
    expect(events[0]!.kind === 'oversize' && events[0]!.head.toString()).toBe('MSH|0123456789abcdefghij');
    expect(events[1]!.kind === 'frame' && events[1]!.payload.toString()).toBe('MSH|ok');
  });
});
