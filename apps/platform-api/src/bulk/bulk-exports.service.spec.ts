import type { Request, Response } from 'express';
import type { Pool } from 'pg';
import { FhirHttpError } from '@yilian/runtime';
import type { ReadGate } from '../access/read-gate';
import type { PlatformAuth, ReadClient } from '../platform-auth';
import { BulkExports, MAX_RUNNING_EXPORTS } from './bulk-exports.service';

const client: ReadClient = { name: 'regional-platform', role: 'platform', scopes: ['system/*.read'] };

function fakes(query: () => Promise<unknown>) {
  const pool = { query } as unknown as Pool;
  const auth = { client: () => client } as unknown as PlatformAuth;
  const gate = { record: () => Promise.resolve() } as unknown as ReadGate;
  return new BulkExports(pool, auth, gate);
}

function req(): Request {
  return {
    protocol: 'http',
    originalUrl: '/fhir/$export',
    headers: { accept: 'application/fhir+json', prefer: 'respond-async' },
    get: () => 'hub.test',
  } as unknown as Request;
}

function res() {
  const sent = { status: 0, headers: {} as Record<string, string> };
  const r = {
    status: (s: number) => ((sent.status = s), r),
    set: (k: string | Record<string, string>, v?: string) => (
      typeof k === 'string' ? (sent.headers[k] = v!) : Object.assign(sent.headers, k),
      r
    ),
    end: () => r,
  };
  return { res: r as unknown as Response, sent };
}

describe('BulkExports: too many running exports', () => {
  it(`the ${MAX_RUNNING_EXPORTS + 1}th running export of one client is 429 throttled with Retry-After; a finished one frees its place`, async () => {
    let release: () => void = () => undefined;
    const blocked = new Promise<{ rows: never[] }>((resolve) => (release = () => resolve({ rows: [] })));
    const exports = fakes(() => blocked);
    for (let i = 0; i < MAX_RUNNING_EXPORTS; i++) {
      const { res: r, sent } = res();
      exports.kickOff('system', () => [], req(), r);
      expect(sent.status).toBe(202);
    }
    const { res: r, sent } = res();
    let error: unknown;
    try {
      exports.kickOff('system', () => [], req(), r);
    } catch (e) {
      error = e;
    }
    expect(error instanceof FhirHttpError ? [error.status, error.outcome.issue[0]?.code] : error).toEqual([
      429,
      'throttled',
    ]);
    expect(Number(sent.headers['Retry-After'])).toBeGreaterThan(0);
    release();
    // the released jobs finish (each type's empty file written) — on a loaded machine not at once
    const after = res();
    for (const until = Date.now() + 10_000; ;) {
      try {
        exports.kickOff('system', () => [], req(), after.res);
        break;
      } catch (e) {
        if (!(e instanceof FhirHttpError) || e.status !== 429 || Date.now() > until) throw e;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    expect(after.sent.status).toBe(202);
    exports.onModuleDestroy();
  });
});
