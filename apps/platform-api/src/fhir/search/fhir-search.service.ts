import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { Pool } from 'pg';
import type { fhir4 } from '@yilian/contracts';
import { samePatientKeys } from '@yilian/patients';
import { fhirBaseUrl, headerValue, READ_MODEL_POOL } from '@yilian/runtime';
import { ReadGate } from '../../access/read-gate';
import { searchsetBundle } from '../bundle';
import type { ReadClient } from '../../platform-auth';
import { encodeCursor, type ParsedSearch, parseFhirSearch } from './fhir-search';
import { SEARCH_TABLES, type SearchableType, type SearchTable } from './search-tables';

/** The patients an institution has a part in (access/patient-access.ts), for searches that name
 * no patient. */
export const INSTITUTION_PATIENTS = /* sql */ `(SELECT patient_key FROM rm_lab_reports WHERE performer = $?
  UNION SELECT patient_key FROM rm_imaging_studies WHERE performer = $?
  UNION SELECT patient_key FROM rm_orders WHERE placer = $?
  UNION SELECT patient_key FROM rm_referral_fhir WHERE requester = $? OR performer = $?)`;

/** The patients any of several institutions has a part in (their codes as the text[] `param`,
 * e.g. `$6`): INSTITUTION_PATIENTS for a set. */
export function institutionsPatientsSql(param: string): string {
  return INSTITUTION_PATIENTS.replace(/= \$\?/g, `= ANY(${param}::text[])`);
}

interface Row {
  resource: fhir4.Resource;
  patient_key: string;
  sort_key: string;
  total: string;
}

/** FHIR search on every read model: conditions, the client's reach, keyset paging, _include,
 * the access record; answers a searchset Bundle. */
@Injectable()
export class FhirSearchService {
  constructor(
    @Inject(READ_MODEL_POOL) private readonly pool: Pool,
    @Inject(ReadGate) private readonly gate: ReadGate,
  ) {}

  async search(req: Request, type: SearchableType, query: Record<string, unknown>): Promise<fhir4.Bundle> {
    const table = SEARCH_TABLES[type];
    const strict = /handling\s*=\s*strict/i.test(headerValue(req, 'prefer') ?? '');
    const client = await this.gate.open(req, type, null);
    const q = parseFhirSearch(table, query, { strict, now: new Date() });
    if (q.patientKey) await this.gate.patient(req, client, type, q.patientKey);
    const params: unknown[] = [];
    const where: string[] = [];
    const add = (sql: string, values: readonly unknown[]) => {
      let i = 0;
      where.push(
        sql.replace(/\$\?/g, () => {
          params.push(values[i++]);
          return `$${params.length}`;
        }),
      );
    };
    if (q.patientKey)
      add(`${table.patient} = ANY($?::text[])`, [await samePatientKeys(this.pool, q.patientKey)]);
    else if (client.role === 'institution') {
      const i = client.institution;
      add(`${table.patient} IN ${INSTITUTION_PATIENTS}`, [i, i, i, i, i]);
    }
    for (const c of q.conditions) add(c.sql, c.params);
    if (q.cursor) add(`(${table.sort}, ${table.id}) < ($?::timestamptz, $?)`, [q.cursor.sort, q.cursor.id]);
    const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    if (q.summaryCount) return this.countOnly(req, client, type, table, filter, params, q);
    const { rows } = await this.pool.query<Row>(
      `SELECT ${table.resource} AS resource, patient_key, ${table.sort}::text AS sort_key,
              ${q.cursor ? 'NULL' : 'count(*) OVER ()'} AS total, ${table.id} AS id
         FROM ${table.from} ${filter}
        ORDER BY ${table.sort} DESC, ${table.id} DESC LIMIT ${q.count + 1}`,
      params,
    );
    const page = rows.slice(0, q.count);
    const included = await this.included(
      table,
      q.includes,
      page.map((r) => r.resource),
    );
    const base = fhirBaseUrl(req);
    const link = (extra: [string, string][]) =>
      `${base}/${type}?${new URLSearchParams([...q.used.filter(([n]) => n !== '_cursor'), ...extra]).toString()}`;
    const last = page.at(-1) as (Row & { id: string }) | undefined;
    await this.gate.recordPerPatient(
      req,
      client,
      { interaction: 'search', resourceType: type },
      [...page, ...included].map((r) => ({
        patientKey: r.patient_key,
        ref: `${r.resource.resourceType}/${r.resource.id}`,
      })),
      q.patientKey,
    );
    return searchsetBundle({
      baseUrl: base,
      selfUrl: link(q.cursor ? [['_cursor', encodeCursor(q.cursor.sort, q.cursor.id)]] : []),
      ...(q.cursor ? {} : { total: page[0] ? Number(page[0].total) : 0 }),
      resources: page.map((r) => r.resource),
      included: included.map((r) => r.resource),
      ...(rows.length > q.count && last
        ? { nextUrl: link([['_cursor', encodeCursor(last.sort_key, last.id)]]) }
        : {}),
      ...(q.ignored.length > 0 ? { outcome: ignoredOutcome(type, q.ignored) } : {}),
    });
  }

  /** `_summary=count`: how many match, no entries (FHIR search: a Bundle with `total` only). */
  private async countOnly(
    req: Request,
    client: ReadClient,
    type: SearchableType,
    table: SearchTable,
    filter: string,
    params: unknown[],
    q: ParsedSearch,
  ): Promise<fhir4.Bundle> {
    const { rows } = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${table.from} ${filter}`,
      params,
    );
    await this.gate.recordPerPatient(
      req,
      client,
      { interaction: 'search', resourceType: type },
      [],
      q.patientKey,
    );
    const base = fhirBaseUrl(req);
    return searchsetBundle({
      baseUrl: base,
      selfUrl: `${base}/${type}?${new URLSearchParams(q.used.filter(([n]) => n !== '_cursor')).toString()}`,
      total: Number(rows[0]!.n),
      resources: [],
      ...(q.ignored.length > 0 ? { outcome: ignoredOutcome(type, q.ignored) } : {}),
    });
  }

  /** The resources `_include` names, read from their own read models. */
  private async included(table: SearchTable, includes: readonly string[], matched: fhir4.Resource[]) {
    const out: { resource: fhir4.Resource; patient_key: string }[] = [];
    for (const name of includes) {
      const inc = table.includes![name]!;
      const target = SEARCH_TABLES[inc.type];
      const ids = new Set<string>();
      for (const r of matched) {
        const refs =
          (r as unknown as Record<string, { reference?: string }[] | undefined>)[inc.element] ?? [];
        for (const ref of refs) {
          const m = /^([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(ref.reference ?? '');
          if (m && m[1] === inc.type) ids.add(m[2]!);
        }
      }
      if (ids.size === 0) continue;
      const { rows } = await this.pool.query<{ resource: fhir4.Resource; patient_key: string }>(
        `SELECT ${target.resource} AS resource, patient_key FROM ${target.from} WHERE ${target.id} = ANY($1::text[])`,
        [[...ids]],
      );
      out.push(...rows);
    }
    return out;
  }
}

function ignoredOutcome(type: string, ignored: readonly string[]): fhir4.OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: ignored.map((name) => ({
      severity: 'warning' as const,
      code: 'not-supported' as const,
      diagnostics: `search parameter "${name}" is not supported on ${type} and was ignored (Prefer: handling=strict refuses it)`,
      expression: [name.split('=')[0]!],
    })),
  };
}
