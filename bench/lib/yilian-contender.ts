import type { GlobalPosition } from '@yilian/contracts';
import { PostgresEventStore } from '@yilian/event-store';
import { CONTENDER_LABELS, type Contender } from './contender';

export async function openYilian(connectionString: string, poolSize: number): Promise<Contender> {
  const store = new PostgresEventStore({ connectionString, poolSize });
  await store.migrate();
  return {
    name: CONTENDER_LABELS.yilian,
    append: async (stream, events, streamLength) => {
      await store.append(stream, events, streamLength === 0 ? 'no_stream' : BigInt(streamLength - 1));
    },
    readAllFromStart: async (batchSize) => {
      let after: GlobalPosition | undefined;
      let count = 0;
      for (;;) {
        const batch = await store.readAll({ after, maxCount: batchSize });
        if (batch.length === 0) return count;
        count += batch.length;
        after = batch[batch.length - 1]!.position;
      }
    },
    close: () => store.close(),
  };
}
