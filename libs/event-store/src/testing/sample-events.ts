import { randomUUID } from 'node:crypto';
import type { NewEvent } from '@yilian/contracts';

/** A small event for contract tests; `size` pads the payload to about that many bytes. */
export function sampleEvent(label: string, size = 0): NewEvent {
  return {
    id: randomUUID(),
    type: 'SampleRecorded',
    schemaVersion: 1,
    data: { label, padding: 'x'.repeat(size), nested: { b: 2, a: [1, 'two', { z: null }] } },
    metadata: {
      source: { institution: 'H001', messageId: `msg-${label}`, protocol: 'hub' },
      correlationId: randomUUID(),
      occurredAt: '2026-11-23T08:00:00.000Z',
    },
  };
}

export function uniqueStream(category = 'labreport'): string {
  return `${category}-T-${randomUUID().slice(0, 8)}`;
}
