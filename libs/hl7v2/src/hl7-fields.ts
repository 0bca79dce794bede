/**
 * Safe reads from a parsed segment, 1-based like the HL7 notation (`OBX-5.2`, second
 * repetition of PID-3 = repetition 2). Absent fields, components and repetitions read as '';
 * the HL7 explicit null `""` reads as '' too. Nothing here throws.
 */
import type { Hl7Field, Hl7Segment } from '@medplum/core';
import { unescapeHl7 } from './hl7-escape';

/** Field `n` of a segment; for MSH, MSH-3 onward (MSH-1 and MSH-2 are the separators). */
export function fieldOf(segment: Hl7Segment, n: number): Hl7Field | undefined {
  if (segment.name === 'MSH') return n >= 3 ? segment.fields[n - 1] : undefined;
  return n >= 1 ? segment.fields[n] : undefined;
}

/** How many repetitions the field has; 0 when it is empty. */
export function repetitionCount(segment: Hl7Segment, n: number): number {
  const reps = fieldOf(segment, n)?.components;
  if (!reps) return 0;
  if (reps.length === 1 && reps[0]!.length === 1 && (reps[0]![0] === '' || reps[0]![0] === '""')) return 0;
  return reps.length;
}

/** The component as sent (still escaped). */
export function rawComponent(segment: Hl7Segment, field: number, component = 1, repetition = 1): string {
  const value = fieldOf(segment, field)?.components[repetition - 1]?.[component - 1];
  return value === undefined || value === '""' ? '' : value;
}

/** The component's text: unescaped, trimmed. */
export function textComponent(segment: Hl7Segment, field: number, component = 1, repetition = 1): string {
  const raw = rawComponent(segment, field, component, repetition);
  return raw === '' ? '' : unescapeHl7(raw, segment.context).trim();
}

/** Subcomponent `sub` (1-based) of a component, unescaped and trimmed (e.g. CX-4.2). */
export function textSubcomponent(
  segment: Hl7Segment,
  field: number,
  component: number,
  sub: number,
  repetition = 1,
): string {
  const raw = rawComponent(segment, field, component, repetition);
  if (raw === '') return '';
  const parts = raw.split(segment.context.subcomponentSeparator);
  const value = parts[sub - 1];
  return value === undefined || value === '""' ? '' : unescapeHl7(value, segment.context).trim();
}

/** A whole repetition as one text: for ST/TX/FT, where a `^` the sender did not escape is
 * part of the text, not a component separator. */
export function repetitionText(segment: Hl7Segment, field: number, repetition = 1): string {
  const components = fieldOf(segment, field)?.components[repetition - 1];
  if (!components) return '';
  const raw = components.length === 1 ? components[0]! : components.join(segment.context.componentSeparator);
  return raw === '""' ? '' : unescapeHl7(raw, segment.context);
}

/** The field's components of one repetition, unescaped and trimmed (CE/CWE, XPN, CX …). */
export function componentsOf(segment: Hl7Segment, field: number, repetition = 1): string[] {
  const components = fieldOf(segment, field)?.components[repetition - 1];
  if (!components) return [];
  return components.map((c) => (c === '""' ? '' : unescapeHl7(c, segment.context).trim()));
}
