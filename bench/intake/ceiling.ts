/**
 * The ceiling: how many of the same messages one core parses with the HL7 library alone
 * (`@medplum/core` Hl7Message.parse: every field split into components), parses as the hub does
 * (parseHl7: fields split when first read, + classifyMessage), and parses and maps to FHIR
 * (parseHl7 + mapOruR01Lab) per second, with nothing else to do. CPU
 * time per message (process.cpuUsage), best and median of 5 rounds: on a shared host, wall
 * time mostly measures the neighbours.
 */
import { Hl7Message } from '@medplum/core';
import { classifyMessage, mapOruR01Lab, parseHl7 } from '@yilian/hl7v2';

export interface CeilingFigure {
  /** CPU µs per message: best and median of the rounds. */
  readonly bestUs: number;
  readonly medianUs: number;
}

export interface Ceiling {
  readonly libraryParse: CeilingFigure;
  readonly parseOnly: CeilingFigure;
  readonly parseMap: CeilingFigure;
}

function measure(texts: readonly string[], work: (text: string) => boolean): CeilingFigure {
  const once = () => {
    for (const t of texts) if (!work(t)) throw new Error('ceiling: a bench message did not parse or map');
  };
  once(); // warm-up: the JIT sees every message once
  once();
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const start = process.cpuUsage();
    once();
    const used = process.cpuUsage(start);
    rounds.push((used.user + used.system) / texts.length);
  }
  rounds.sort((a, b) => a - b);
  return { bestUs: rounds[0]!, medianUs: rounds[2]! };
}

export function measureCeiling(texts: readonly string[]): Ceiling {
  const receivedAt = new Date().toISOString();
  return {
    libraryParse: measure(texts, (t) => Hl7Message.parse(t).segments.length > 0),
    parseOnly: measure(texts, (t) => {
      const parsed = parseHl7(t);
      return parsed.ok && classifyMessage(parsed.message).ok;
    }),
    parseMap: measure(texts, (t) => {
      const parsed = parseHl7(t);
      return parsed.ok && mapOruR01Lab(parsed.message, { institution: 'H001', receivedAt }).ok;
    }),
  };
}
