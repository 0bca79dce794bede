import type * as fhir4 from 'fhir/r4';
import { repetitionCount, repetitionText } from './hl7-fields';
import type { SegmentRef } from './oru-r01.groups';

/** NTE-3 of each note, repetitions as lines; empty notes dropped. */
export function noteTexts(notes: readonly SegmentRef[]): string[] {
  const out: string[] = [];
  for (const n of notes) {
    const reps = repetitionCount(n.segment, 3);
    let text = '';
    for (let r = 1; r <= reps; r++) text += (r > 1 ? '\n' : '') + repetitionText(n.segment, 3, r);
    text = text.trim();
    if (text) out.push(text);
  }
  return out;
}

export function annotations(texts: readonly string[]): fhir4.Annotation[] {
  return texts.map((text) => ({ text }));
}
