import { createServer } from 'node:net';
import { Client } from 'pg';
import { isTransientDatabaseError } from './database-errors';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

test('an unreachable, restarting or overloaded database, or a deadlock, is transient', async () => {
  // Nothing listens on a port just released.
  const port = await new Promise<number>((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = s.address() as { port: number };
      s.close(() => ok(p));
    });
  });
  const refused = await new Client({ host: '127.0.0.1', port }).connect().catch((e: unknown) => e);
  expect(isTransientDatabaseError(refused)).toBe(true);
  for (const e of [
    new Error('Connection terminated unexpectedly'),
    new Error('timeout exceeded when trying to connect'),
    withCode('terminating connection due to administrator command', '57P01'),
    withCode('the database system is starting up', '57P03'),
    withCode('sorry, too many clients already', '53300'),
    withCode('could not receive data from client', '08006'),
    withCode('deadlock detected', '40P01'),
    withCode('could not serialize access', '40001'),
  ])
    expect([e.message, isTransientDatabaseError(e)]).toEqual([e.message, true]);
});

test('bad data, a broken projection or anything else is not', () => {
  for (const e of [
    new TypeError("Cannot read properties of undefined (reading 'map')"),
    withCode('null value in column "id" violates not-null constraint', '23502'),
    withCode('invalid input syntax for type timestamp', '22007'),
    withCode('relation "rm_lab_reports" does not exist', '42P01'),
    new Error('Cannot use a pool after calling end on the pool'),
    'a string',
    undefined,
  ])
    expect([String(e), isTransientDatabaseError(e)]).toEqual([String(e), false]);
});
