import { type DefaultRecord, type Event, STREAM_DOES_NOT_EXIST } from '@event-driven-io/emmett';
import { getPostgreSQLEventStore, readMessagesBatch } from '@event-driven-io/emmett-postgresql';
import { Pool } from 'pg';
import { CONTENDER_LABELS, type Contender } from './contender';

type SqlExecutor = Parameters<typeof readMessagesBatch>[0];

/** Emmett's global-log reader takes a dumbo SQL executor; this one runs on our pg pool so both
 * contenders read through a pool of the same size. */
function poolExecutor(pool: Pool): SqlExecutor {
  return {
    query: (sql) => pool.query(sql),
    batchQuery: (sqls) => Promise.all(sqls.map((sql) => pool.query(sql))),
    command: (sql) => pool.query(sql),
    batchCommand: (sqls) => Promise.all(sqls.map((sql) => pool.query(sql))),
  };
}

export async function openEmmett(connectionString: string, poolSize: number): Promise<Contender> {
  const pool = new Pool({ connectionString, max: poolSize });
  pool.on('error', () => undefined); // an idle client's error surfaces on its next use
  const store = getPostgreSQLEventStore(connectionString, { connectionOptions: { pool } });
  await store.schema.migrate();
  const execute = poolExecutor(pool);
  return {
    name: CONTENDER_LABELS.emmett,
    append: async (stream, events, streamLength) => {
      await store.appendToStream(
        stream,
        events.map((e): Event<string, DefaultRecord, DefaultRecord> => ({
          type: e.type,
          data: e.data as DefaultRecord,
          metadata: { ...e.metadata, messageId: e.id, schemaVersion: e.schemaVersion },
        })),
        { expectedStreamVersion: streamLength === 0 ? STREAM_DOES_NOT_EXIST : BigInt(streamLength) },
      );
    },
    readAllFromStart: async (batchSize) => {
      let count = 0;
      let batch = await readMessagesBatch(execute, { from: 0n, batchSize });
      while (batch.messages.length > 0) {
        count += batch.messages.length;
        batch = await readMessagesBatch(execute, { after: batch.currentGlobalPosition, batchSize });
      }
      return count;
    },
    close: async () => {
      try {
        await store.close();
      } finally {
        await pool.end();
      }
    },
  };
}
