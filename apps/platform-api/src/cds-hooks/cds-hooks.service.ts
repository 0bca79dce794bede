/**
 * One duplicate-test question, from a CDS client: who asks (the institution behind the key,
 * never the body), whether it may see the patient (PatientAccess, as every patient read; a
 * refusal is recorded), which catalogue items the draft orders name, and — only when some order
 * names one — the patient's eligibility now (read while the access check runs), turned into
 * cards. Every answer that read the patient's results is one access record (interaction
 * `recognisable`, the results the cards show, `X-Purpose-Of-Use`), and each card is a row of
 * `pa_cds_cards` (what its uuid stands for, for the feedback) — both stored before the answer
 * leaves. Feedback goes to CDS_FEEDBACK_HANDLER (CdsFeedbackDecisions: recognition decisions).
 */
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Request } from 'express';
import type { InstitutionDirectory } from '@yilian/config';
import { scopesGrant } from '@yilian/config';
import type { RecognitionEligibility } from '@yilian/recognition';
import { fhirBaseUrl, FhirHttpError, requestOrigin } from '@yilian/runtime';
import { PatientAccess } from '../access/patient-access';
import { ReadGate } from '../access/read-gate';
import { CONSOLE_INSTITUTIONS } from '../console/console-auth';
import { PlatformAuth, type ReadClient } from '../platform-auth';
import { addressedAs, ClientJwtRefusal, ClientJwtVerifier } from '../smart/client-jwt';
import { CdsCardStore } from './cds-cards.store';
import { CDS_FEEDBACK_HANDLER, type CdsFeedbackHandler } from './cds-feedback.port';
import type { CdsFeedbackRequest, CdsHookRequest, CdsResponse } from './cds-hooks.types';
import { type DraftOrder, draftOrdersOf, orderedItems } from './draft-orders';
import { duplicateTestCards } from './duplicate-test.cards';
import { DECLINE_REASONS } from './override-reasons';

/** The RecognitionEligibility the CDS service asks (one per process: it holds the rules folded). */
export const CDS_ELIGIBILITY = Symbol('CDS_ELIGIBILITY');
const RESULT_TYPES = ['DiagnosticReport', 'ImagingStudy'] as const;

@Injectable()
export class CdsHooksService {
  private readonly names = new Map<string, string>();

  constructor(
    @Inject(PlatformAuth) private readonly auth: PlatformAuth,
    @Inject(ClientJwtVerifier) private readonly jwts: ClientJwtVerifier,
    @Inject(PatientAccess) private readonly access: PatientAccess,
    @Inject(ReadGate) private readonly gate: ReadGate,
    @Inject(CDS_ELIGIBILITY) private readonly eligibility: RecognitionEligibility,
    @Inject(CdsCardStore) private readonly cardStore: CdsCardStore,
    @Inject(CDS_FEEDBACK_HANDLER) private readonly feedbackHandler: CdsFeedbackHandler,
    @Optional() @Inject(CONSOLE_INSTITUTIONS) institutions?: InstitutionDirectory,
  ) {
    for (const i of institutions?.institutions ?? []) this.names.set(i.code, i.name);
  }

  /** The institution the key (or the CDS client's signed JWT) belongs to; the platform's and
   * auditors' keys order nothing. */
  async requesterOf(req: Request): Promise<{ client: ReadClient; requester: string }> {
    const client = this.auth.tryClient(req) ?? (await this.signedCaller(req));
    if (client.role !== 'institution' || !client.institution)
      throw FhirHttpError.of(
        403,
        'forbidden',
        `the duplicate-test alert answers an ordering institution; the key is ${client.role} ${client.name}`,
      );
    return { client, requester: client.institution };
  }

  /** CDS Hooks 2.0 "Trusting CDS Clients": a bearer JWT the CDS client signed (ES384 / RS384)
   * with a key of the JWK Set registered for it (PLATFORM_CLIENTS, role institution): `sub` (or,
   * as CDS Hooks 1.0 had it, `iss`) names the client, `aud` the service endpoint called, `exp`
   * at most five minutes ahead, `iat`, a `jti` used once. Else 401 saying why. */
  private async signedCaller(req: Request): Promise<ReadClient> {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    if (!ClientJwtVerifier.looksLikeJwt(bearer)) return this.auth.client(req); // throws the usual 401
    try {
      const { payload } = ClientJwtVerifier.claimsOf(bearer);
      const named = [payload.sub, payload.iss].find(
        (id): id is string => typeof id === 'string' && this.auth.backendClient(id) !== undefined,
      );
      if (!named)
        throw new ClientJwtRefusal(
          `no CDS client ${String(payload.sub ?? payload.iss).slice(0, 80)} with a registered JWK Set (its sub names it)`,
        );
      const called = `${requestOrigin(req)}${req.path}`;
      const service = called.replace(/\/feedback$/, '');
      const { client } = await this.jwts.verify(bearer, {
        clientId: named,
        audiences: [...addressedAs(service), ...addressedAs(called)],
        required: ['iat'],
      });
      return client;
    } catch (e) {
      if (!(e instanceof ClientJwtRefusal)) throw e;
      throw FhirHttpError.of(401, 'security', `the CDS client's JWT is refused: ${e.message}`);
    }
  }

  /** `who`: requesterOf(req), which the controller asked before looking at the body. */
  async answer(
    req: Request,
    who: { client: ReadClient; requester: string },
    serviceId: string,
    request: CdsHookRequest,
  ): Promise<CdsResponse> {
    const { client, requester } = who;
    const types = RESULT_TYPES.filter((t) => scopesGrant(client.scopes, t));
    const patientKey = request.context.patientId;
    const now = new Date();
    const orders = draftOrdersOf(request);
    // the rules are no patient's data (folded at most once a second)
    const rules = await this.eligibility.rulesAt(now);
    const ordered =
      orders.length > 0 && types.length > 0
        ? orderedItems(orders, requester, rules)
        : new Map<DraftOrder, readonly string[]>();
    // the patient's results are read while the access check runs — one round trip instead of
    // two on the answer's path — and looked at only once it passed: a refusal answers 403 and
    // nothing of what was read leaves
    const reading = [...ordered.values()].some((codes) => codes.length > 0)
      ? this.eligibility.eligibility({ patientKey, requester, asOf: now })
      : undefined;
    reading?.catch(() => undefined); // awaited below unless the access check throws
    await this.mayRead(req, client, patientKey);
    if (!reading) return { cards: [] }; // nothing read
    const answer = await reading;
    const { cards, findings } = duplicateTestCards({
      ordered,
      results: answer.results.filter((r) => (types as readonly string[]).includes(r.resourceType)),
      fhirBase: fhirBaseUrl(req),
      overrideReasons: DECLINE_REASONS,
      institutionName: (code) => this.names.get(code),
      uuid: randomUUID,
    });
    const shown = [...new Set(findings.map((f) => `${f.result.resourceType}/${f.result.resourceId}`))];
    const practitioner = request.context.userId.split('/')[1];
    const encounter = request.context.encounterId;
    // the access record and what each card's uuid stands for (for its feedback), both stored
    // before the answer leaves
    await Promise.all([
      this.gate.record(req, client, {
        patientKey,
        interaction: 'recognisable',
        resourceType: 'Patient',
        returned: shown.length,
        resources: shown,
      }),
      this.cardStore.remember(
        findings.map((f, i) => ({
          uuid: cards[i]!.uuid!,
          serviceId,
          requester,
          ...(practitioner ? { practitioner } : {}),
          patientKey,
          ...(encounter ? { encounter } : {}),
          resultType: f.result.resourceType,
          resultId: f.result.resourceId,
          resultStream: f.result.resultStream,
          itemCode: f.item.item.catalogueItemCode,
          orderRef: f.order.reference,
        })),
      ),
    ]);
    return { cards };
  }

  async feedback(
    who: { client: ReadClient; requester: string },
    serviceId: string,
    request: CdsFeedbackRequest,
  ): Promise<void> {
    const { client, requester } = who;
    await this.feedbackHandler.onFeedback({
      serviceId,
      requester,
      client,
      feedback: request.feedback,
      receivedAt: new Date(),
    });
  }

  /** 403 (recorded as refused) unless the institution has a part in the patient's care. */
  private async mayRead(req: Request, client: ReadClient, patientKey: string): Promise<void> {
    try {
      await this.access.require(client, patientKey);
    } catch (e) {
      await this.gate.record(req, client, {
        patientKey,
        interaction: 'recognisable',
        resourceType: 'Patient',
        returned: 0,
        outcome: 'refused',
      });
      throw e;
    }
  }
}
