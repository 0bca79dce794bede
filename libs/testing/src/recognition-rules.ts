import { randomUUID } from 'node:crypto';
import type { NewEvent } from '@yilian/contracts';

/** A recognition rule fact (scope, catalogue, quality status, code map) as the hub's operators
 * record it, for tests and benches that append rules straight to the store. */
export function ruleEvent(type: string, data: unknown): NewEvent {
  return {
    id: randomUUID(),
    type,
    schemaVersion: 1,
    data,
    metadata: {
      source: { institution: 'HUB', messageId: randomUUID(), protocol: 'hub' },
      correlationId: randomUUID(),
      occurredAt: new Date().toISOString(),
    },
  };
}
