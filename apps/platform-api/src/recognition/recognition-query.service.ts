import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Request } from 'express';
import type { Pool } from 'pg';
import { scopesGrant } from '@yilian/config';
import { INSTITUTION_CODE_PATTERN, type RetrievalChannel } from '@yilian/contracts';
import {
  canonicalPatientKey,
  institutionOfMrnSystem,
  isResidentIdSystem,
  type PatientKeyer,
  parseResidentId,
  samePatientKeys,
} from '@yilian/patients';
import type { EligibilityAnswer } from '@yilian/recognition';
import { RecognitionEligibility, RetrievalSerials } from '@yilian/recognition';
import { FhirHttpError, PATIENT_KEYER, READ_MODEL_POOL, RECOGNITION_ELIGIBILITY } from '@yilian/runtime';
import { PatientAccess } from '../access/patient-access';
import { ReadGate } from '../access/read-gate';
import { PlatformAuth, type ReadClient } from '../platform-auth';

/** The hub's opaque patient key, as $everything takes it. */
export const PATIENT_KEY_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
/** An ISO instant with its offset (FHIR `instant`). */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
/** Clocks differ: an asOf this far ahead of the hub's is still "now". */
const CLOCK_SKEW_MS = 60_000;
/** The types an eligibility answer holds; a client sees those its scopes grant. */
export const RESULT_TYPES = ['DiagnosticReport', 'ImagingStudy'] as const;

export interface RecognitionAsk {
  /** One of the two: an identifier (`system|value` resolved here) or a hub patient key. */
  readonly identifier?: { readonly system: string; readonly value: string };
  readonly patientKey?: string;
  /** ISO instant; now when absent. */
  readonly asOf?: string;
  /** Platform / auditor only: the institution the question is asked for. */
  readonly requester?: string;
}

/** Whom the answer was for, and what it holds. */
export interface RecognitionReply {
  readonly client: ReadClient;
  readonly answer: EligibilityAnswer;
}

/** The RecognitionEligibility of the read side (the token the apps share): one per process, it
 * holds the rules folded. */
export { RECOGNITION_ELIGIBILITY };

const KNOWN_PATIENT_SQL = /* sql */ `
SELECT EXISTS (SELECT 1 FROM rm_recognition_results WHERE patient_key = ANY($1::text[]))
    OR EXISTS (SELECT 1 FROM rm_referral_fhir WHERE patient_key = ANY($1::text[]))
    OR EXISTS (SELECT 1 FROM rm_patient_links WHERE member_key = ANY($1::text[])) AS known`;

/**
 * One eligibility question, whichever protocol asked it: who the client is, for which
 * institution it asks, which patient, as of when — each refused in the caller's protocol by the
 * controller's filter — and the access record of the answer (refusals included).
 */
@Injectable()
export class RecognitionQueryService {
  constructor(
    @Inject(READ_MODEL_POOL) private readonly pool: Pool,
    @Inject(PATIENT_KEYER) private readonly keyer: PatientKeyer,
    @Inject(PlatformAuth) private readonly auth: PlatformAuth,
    @Inject(PatientAccess) private readonly access: PatientAccess,
    @Inject(ReadGate) private readonly gate: ReadGate,
    @Inject(RECOGNITION_ELIGIBILITY) private readonly eligibility: RecognitionEligibility,
    @Optional() @Inject(RetrievalSerials) private readonly serials?: RetrievalSerials,
  ) {}

  /** `channel`: how the answer is shown, for the retrieval (调阅) events of its results. */
  async ask(
    req: Request,
    ask: RecognitionAsk,
    channel: RetrievalChannel = 'eligibility',
  ): Promise<RecognitionReply> {
    const client = this.auth.client(req);
    const types = RESULT_TYPES.filter((t) => scopesGrant(client.scopes, t));
    if (types.length === 0)
      throw FhirHttpError.of(
        403,
        'forbidden',
        `client ${client.name} (${client.role}) has no scope system/DiagnosticReport.read or system/ImagingStudy.read`,
      );
    const requester = this.requesterOf(client, ask.requester);
    const asOf = asOfOf(ask.asOf, new Date());
    const patientKey = await this.patientOf(ask);
    await this.mayAsk(req, client, patientKey);
    const full = await this.eligibility.eligibility({ patientKey, requester, asOf });
    const shown = full.results.filter((r) => (types as readonly string[]).includes(r.resourceType));
    const serials = await this.retrievals(client, channel, patientKey, shown);
    const answer: EligibilityAnswer = {
      ...full,
      results: shown.map((r) => {
        const serial = serials.get(`${r.resourceType}/${r.resourceId}`);
        return serial ? { ...r, retrievalSerial: serial } : r;
      }),
    };
    await this.gate.record(req, client, {
      patientKey,
      interaction: 'recognisable',
      resourceType: 'Patient',
      returned: answer.results.length,
      resources: answer.results.map((r) => `${r.resourceType}/${r.resourceId}`),
    });
    return { client, answer };
  }

  /** An institution shown other institutions' results retrieves them (调阅): one serial each,
   * recorded as events before the answer leaves (none for the platform or auditors, who ask
   * for an institution, and none for its own results). */
  private async retrievals(
    client: ReadClient,
    channel: RetrievalChannel,
    patientKey: string,
    results: EligibilityAnswer['results'],
  ): Promise<Map<string, string>> {
    if (!this.serials || client.role !== 'institution' || !client.institution) return new Map();
    return this.serials.issue({
      institution: client.institution,
      actor: client.name,
      channel,
      now: new Date(),
      correlationId: randomUUID(),
      retrievals: results.map((r) => ({
        resource: `${r.resourceType}/${r.resourceId}`,
        performer: r.performer,
        patientKey,
      })),
    });
  }

  unmatchedCodes(req: Request, performer: string | undefined) {
    const client = this.auth.client(req);
    if (client.role !== 'platform' && client.role !== 'auditor')
      throw FhirHttpError.of(
        403,
        'forbidden',
        `the unmatched-codes report is for the platform's operators; the key is ${client.role} ${client.institution ?? client.name}`,
      );
    if (performer !== undefined && !INSTITUTION_CODE_PATTERN.test(performer))
      throw FhirHttpError.of(400, 'value', 'performer: not an institution code', 'performer');
    return this.eligibility.unmatchedCodes(performer);
  }

  /** An institution asks for itself, always; the platform and auditors name the institution. */
  private requesterOf(client: ReadClient, named: string | undefined): string {
    if (client.role === 'institution') {
      if (named !== undefined && named !== client.institution)
        throw FhirHttpError.of(
          403,
          'forbidden',
          `institution ${client.institution} asks for itself only; requester ${named.slice(0, 64)} is not its own`,
          'requester',
        );
      return client.institution!;
    }
    if (named === undefined)
      throw FhirHttpError.of(
        400,
        'required',
        `requester: the ${client.role} role names the institution it asks for`,
        'requester',
      );
    if (!INSTITUTION_CODE_PATTERN.test(named))
      throw FhirHttpError.of(400, 'value', 'requester: not an institution code', 'requester');
    return named;
  }

  /** The patient key: the identifier's (through links and merges) or the key given. */
  private async patientOf(ask: RecognitionAsk): Promise<string> {
    if (ask.identifier && ask.patientKey !== undefined)
      throw FhirHttpError.of(400, 'invalid', 'give either identifier or patientKey, not both', 'patientKey');
    if (ask.patientKey !== undefined) {
      if (!PATIENT_KEY_PATTERN.test(ask.patientKey))
        throw FhirHttpError.of(400, 'value', 'patientKey: not a hub patient key', 'patientKey');
      return ask.patientKey;
    }
    const identifier = ask.identifier;
    if (!identifier || typeof identifier.system !== 'string' || typeof identifier.value !== 'string')
      throw FhirHttpError.of(
        400,
        'required',
        'identifier {system, value} or patientKey is required',
        'identifier',
      );
    const value = identifier.value.trim();
    let key: string;
    if (isResidentIdSystem(identifier.system)) {
      const check = parseResidentId(value);
      if (!check.ok)
        throw FhirHttpError.of(
          400,
          'value',
          `resident ID number is invalid: ${check.reason}`,
          'identifier.value',
        );
      key = this.keyer.forResidentId(check.value);
    } else {
      const institution = institutionOfMrnSystem(identifier.system);
      if (!institution || value.length === 0)
        throw FhirHttpError.of(
          400,
          'not-supported',
          `identifier system ${identifier.system.slice(0, 80)} is not known to the hub`,
          'identifier.system',
        );
      key = this.keyer.forMrn(institution, value);
    }
    return canonicalPatientKey(this.pool, key);
  }

  /** 403 (recorded) unless the client may see the patient; then 404 unless the hub knows them.
   * An institution learns nothing of a patient it is not treating, not even whether they exist. */
  private async mayAsk(req: Request, client: ReadClient, patientKey: string): Promise<void> {
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
    const keys = await samePatientKeys(this.pool, patientKey);
    const { rows } = await this.pool.query<{ known: boolean }>(KNOWN_PATIENT_SQL, [keys]);
    if (rows[0]?.known !== true)
      throw FhirHttpError.of(404, 'not-found', 'the hub holds no patient with this key', 'patient');
  }
}

/** The moment asked about: an ISO instant not in the future (400 naming `asOf`). */
export function asOfOf(raw: string | undefined, now: Date): Date {
  if (raw === undefined) return now;
  const t = typeof raw === 'string' && INSTANT.test(raw) ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(t))
    throw FhirHttpError.of(
      400,
      'value',
      'asOf: expected an instant such as 2026-03-01T08:00:00+08:00',
      'asOf',
    );
  if (t > now.getTime() + CLOCK_SKEW_MS)
    throw FhirHttpError.of(
      400,
      'value',
      'asOf: the hub answers for now or a past moment, not the future',
      'asOf',
    );
  return new Date(t);
}
