import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { fhir4 } from '@yilian/contracts';
import { REFERRAL_FHIR } from '@yilian/referrals';
import { FhirHttpError, READ_MODEL_POOL } from '@yilian/runtime';
import { institutionsPatientsSql } from '../fhir/search/fhir-search.service';
import type { ReadClient } from '../platform-auth';

const ALLIANCE_SYSTEM = 'https://fhir.yilian.cn/NamingSystem/alliance';

/** A group of patients the hub knows: an alliance's — the patients any of its current members
 * has a part in (a result, a study, an order or a referral: access/patient-access.ts). */
export interface PatientGroup {
  readonly id: string;
  readonly name: string;
  readonly institutions: readonly string[];
}

/**
 * The Groups of Bulk Data's Group-level export (`GET /fhir/Group/<id>/$export`): one per
 * alliance (医联体), its id the alliance's, read from the alliance read model. The platform and
 * auditors see every group; an institution the groups of the alliances it is a member of.
 */
@Injectable()
export class PatientGroups {
  constructor(@Inject(READ_MODEL_POOL) private readonly pool: Pool) {}

  async list(client: ReadClient): Promise<PatientGroup[]> {
    const { rows } = await this.pool.query<{ id: string; name: string; institutions: string[] }>(
      `SELECT a.alliance_id AS id, a.name,
              coalesce(array_agg(m.institution ORDER BY m.institution) FILTER (WHERE m.institution IS NOT NULL), '{}') AS institutions
         FROM rm_alliances a
         LEFT JOIN rm_alliance_members m ON m.alliance_id = a.alliance_id AND m.left_at IS NULL
        GROUP BY a.alliance_id, a.name ORDER BY a.alliance_id`,
    );
    return rows.filter(
      (g) => client.role !== 'institution' || g.institutions.includes(client.institution ?? ''),
    );
  }

  /** The group, or 404 (unknown, or not one of an institution's alliances). */
  async get(client: ReadClient, id: string): Promise<PatientGroup> {
    const group = (await this.list(client)).find((g) => g.id === id);
    if (!group)
      throw FhirHttpError.of(
        404,
        'not-found',
        `no Group ${id.slice(0, 64)}${client.role === 'institution' ? ` among the alliances ${client.institution} is a member of` : ''} (GET /fhir/Group lists them)`,
      );
    return group;
  }

  /** How many patients the group has now. */
  async quantity(group: PatientGroup): Promise<number> {
    if (group.institutions.length === 0) return 0;
    const { rows } = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${institutionsPatientsSql('$1')} g`,
      [group.institutions],
    );
    return Number(rows[0]!.n);
  }

  async resource(group: PatientGroup): Promise<fhir4.Group> {
    return {
      resourceType: 'Group',
      id: group.id,
      identifier: [{ system: ALLIANCE_SYSTEM, value: group.id }],
      active: true,
      type: 'person',
      actual: true,
      name: group.name,
      quantity: await this.quantity(group),
      characteristic: group.institutions.map((code) => ({
        code: { text: 'patient of a member institution (has a part in their care)' },
        valueReference: { identifier: { system: REFERRAL_FHIR.institutionSystem, value: code } },
        exclude: false,
      })),
    };
  }
}
