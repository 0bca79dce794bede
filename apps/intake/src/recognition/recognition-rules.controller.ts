import { randomUUID } from 'node:crypto';
import { Controller, Inject, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  codeMapStream,
  qualityStatusStream,
  recognitionCatalogueStream,
  recognitionScopeStream,
  type QualityStatusRecordedV1,
  type QualityStatusRevokedV1,
  type RecordedEvent,
} from '@yilian/contracts';
import { EVENT_STORE, type EventStore } from '@yilian/event-store';
import {
  loadIntoStream,
  parseCatalogueFile,
  parseCodeMapFile,
  parseQualityFile,
  parseScopeFile,
  parseWithdrawalFile,
  planCataloguePublication,
  planCodeMap,
  planQualityStatuses,
  planScope,
  planWithdrawal,
  type LoadProblem,
  type LoadSource,
  type PlannedEvent,
} from '@yilian/recognition';
import { LOGGER, type Logger } from '@yilian/runtime';
import { idempotencyKey } from '../alliance/alliance-admin.controller';
import { Actor, OperatorGuard } from '../referrals/credentials';
import { JsonErrorFilter, JsonHttpError } from '../referrals/json-errors';
import { parameter, ruleFileBody } from './rule-file-body';

type Query = Readonly<Record<string, unknown>>;

/**
 * Loading the rules of mutual recognition (检查检验结果互认) by the hub's operators: scopes,
 * catalogues (CSV or JSON), withdrawals, quality statuses and code maps. Each file is checked
 * row by row first; with any bad row the answer is 422 listing every problem and nothing is
 * recorded. Then it is compared with what the rule stream holds: 201 with the counts when
 * something was recorded, 200 when the stream already said all of it (the same file again).
 */
@Controller('recognition')
@UseFilters(JsonErrorFilter)
@UseGuards(OperatorGuard)
export class RecognitionRulesController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Post('scopes')
  async defineScope(@Actor() operator: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const body = await ruleFileBody(req, { csv: false });
    if ('problems' in body) return rejected(res, body.problems);
    const parsed = parseScopeFile('json' in body.file ? body.file.json : undefined);
    if (!parsed.ok) return rejected(res, parsed.problems);
    const scope = parsed.value;
    const stream = recognitionScopeStream(scope.scope);
    const done = await this.load(stream, (h) => planScope(h, scope), source(operator, req), now());
    this.logged(operator, stream, done.appended);
    answer(
      res,
      done.appended,
      { scope: scope.scope, effectiveFrom: scope.effectiveFrom },
      'this scope definition is already recorded',
    );
  }

  @Post('catalogues/:scope')
  async publish(
    @Actor() operator: string,
    @Param('scope') scope: string,
    @Query() query: Query,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const body = await ruleFileBody(req);
    if ('problems' in body) return rejected(res, body.problems);
    const problems: LoadProblem[] = [];
    const context = {
      scope,
      effectiveFrom: parameter('effectiveFrom', query, body.envelope, problems),
      source: parameter('source', query, body.envelope, problems),
      sample: parameter('sample', query, body.envelope, problems),
    };
    const parsed = parseCatalogueFile(body.file, context);
    if (problems.length > 0 || !parsed.ok)
      return rejected(res, [...problems, ...(parsed.ok ? [] : parsed.problems)]);
    const data = parsed.value;
    const stream = recognitionCatalogueStream(data.scope);
    const done = await this.load(
      stream,
      (h) => planCataloguePublication(h, data),
      source(operator, req),
      now(),
    );
    this.logged(operator, stream, done.appended);
    answer(
      res,
      done.appended,
      {
        scope: data.scope,
        effectiveFrom: data.effectiveFrom,
        items: data.items.length,
        published: done.published.length,
        amended: done.amended.length,
        unchanged: done.unchanged.length,
        publishedCodes: done.published,
        amendedCodes: done.amended,
      },
      `the catalogue of ${data.scope} already holds every item of this file from ${data.effectiveFrom}`,
    );
  }

  @Post('catalogues/:scope/withdrawals')
  async withdraw(
    @Actor() operator: string,
    @Param('scope') scope: string,
    @Query() query: Query,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const body = await ruleFileBody(req);
    if ('problems' in body) return rejected(res, body.problems);
    const problems: LoadProblem[] = [];
    const context = {
      scope,
      effectiveFrom: parameter('effectiveFrom', query, body.envelope, problems),
      source: parameter('source', query, body.envelope, problems),
    };
    const parsed = parseWithdrawalFile(body.file, context);
    if (problems.length > 0 || !parsed.ok)
      return rejected(res, [...problems, ...(parsed.ok ? [] : parsed.problems)]);
    const { data, rows } = parsed.value;
    const stream = recognitionCatalogueStream(data.scope);
    const done = await this.load(stream, (h) => planWithdrawal(h, data, rows), source(operator, req), now());
    if (done.problems.length > 0) return rejected(res, done.problems);
    this.logged(operator, stream, done.appended);
    answer(
      res,
      done.appended,
      {
        scope: data.scope,
        effectiveFrom: data.effectiveFrom,
        withdrawn: done.withdrawn.length,
        alreadyWithdrawn: done.alreadyWithdrawn.length,
        withdrawnCodes: done.withdrawn,
      },
      `every item of this file is already withdrawn from ${data.effectiveFrom}`,
    );
  }

  @Post('quality-statuses')
  async qualityStatuses(
    @Actor() operator: string,
    @Query() query: Query,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const body = await ruleFileBody(req);
    if ('problems' in body) return rejected(res, body.problems);
    const problems: LoadProblem[] = [];
    const parsed = parseQualityFile(body.file, {
      sample: parameter('sample', query, body.envelope, problems),
    });
    if (problems.length > 0 || !parsed.ok)
      return rejected(res, [...problems, ...(parsed.ok ? [] : parsed.problems)]);
    // one stream per institution: every row is checked before the first append; a failure
    // between streams leaves the rest to the next load of the same file (it skips what is in)
    const byInstitution = new Map<
      string,
      { recorded: QualityStatusRecordedV1[]; revoked: QualityStatusRevokedV1[] }
    >();
    for (const s of parsed.value.recorded) {
      const entry = byInstitution.get(s.institution) ?? { recorded: [], revoked: [] };
      entry.recorded.push(s);
      byInstitution.set(s.institution, entry);
    }
    for (const r of parsed.value.revoked) byInstitution.get(r.institution)!.revoked.push(r);
    const from = source(operator, req);
    const totals = { recorded: 0, revoked: 0, unchanged: 0, appended: 0 };
    for (const [institution, { recorded, revoked }] of byInstitution) {
      const stream = qualityStatusStream(institution);
      const done = await this.load(stream, (h) => planQualityStatuses(h, recorded, revoked), from, now());
      this.logged(operator, stream, done.appended);
      totals.recorded += done.recorded;
      totals.revoked += done.revoked;
      totals.unchanged += done.unchanged;
      totals.appended += done.appended;
    }
    answer(
      res,
      totals.appended,
      {
        statuses: parsed.value.recorded.length,
        institutions: [...byInstitution.keys()],
        recordedStatuses: totals.recorded,
        revoked: totals.revoked,
        unchanged: totals.unchanged,
      },
      'every status of this file is already recorded as it is',
    );
  }

  @Post('code-maps/:institution')
  async codeMap(
    @Actor() operator: string,
    @Param('institution') institution: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const body = await ruleFileBody(req);
    if ('problems' in body) return rejected(res, body.problems);
    const parsed = parseCodeMapFile(body.file, institution);
    if (!parsed.ok) return rejected(res, parsed.problems);
    const data = parsed.value;
    const stream = codeMapStream(data.institution);
    const done = await this.load(stream, (h) => planCodeMap(h, data), source(operator, req), now());
    this.logged(operator, stream, done.appended);
    answer(
      res,
      done.appended,
      {
        institution: data.institution,
        mappings: data.mappings.length,
        mapped: done.mapped,
        unmapped: done.unmapped,
        unchanged: done.unchanged,
      },
      `the code map of ${data.institution} already says every mapping of this file`,
    );
  }

  /** Plans against the stream and appends; a stream that kept changing meanwhile is a 409. */
  private async load<P extends { readonly events: readonly PlannedEvent[] }>(
    stream: string,
    plan: (history: readonly RecordedEvent[]) => P,
    from: LoadSource,
    occurredAt: string,
  ): Promise<P & { readonly appended: number }> {
    try {
      return await loadIntoStream(this.store, stream, plan, from, occurredAt);
    } catch (e) {
      if (e instanceof Error && e.name === 'WrongExpectedRevisionError')
        throw new JsonHttpError(409, 'the rules changed while this file was loaded; load it again');
      throw e;
    }
  }

  private logged(operator: string, stream: string, appended: number): void {
    this.logger.info({ operator, stream, appended }, 'recognition rules loaded');
  }
}

function now(): string {
  return new Date().toISOString();
}

function source(operator: string, req: Request): LoadSource {
  const messageId = idempotencyKey(req) ?? randomUUID();
  return { institution: operator, messageId, protocol: 'hub', correlationId: messageId };
}

function rejected(res: Response, problems: readonly LoadProblem[]): void {
  res.status(422).json({
    statusCode: 422,
    error: 'Unprocessable Entity',
    message: `${problems.length} problem${problems.length === 1 ? '' : 's'} in the file; nothing was recorded`,
    problems: problems.map((p) => ({ row: p.row ?? null, column: p.column ?? null, message: p.message })),
  });
}

function answer(res: Response, appended: number, counts: Record<string, unknown>, already: string): void {
  if (appended > 0) res.status(201).json({ recorded: true, events: appended, ...counts });
  else
    res
      .status(200)
      .json({ recorded: false, events: 0, message: `${already}: nothing was recorded`, ...counts });
}
