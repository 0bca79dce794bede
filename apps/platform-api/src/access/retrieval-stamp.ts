import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Pool } from 'pg';
import type { fhir4, RetrievalChannel } from '@yilian/contracts';
import { RetrievalSerials } from '@yilian/recognition';
import { READ_MODEL_POOL } from '@yilian/runtime';
import type { ReadClient } from '../platform-auth';

export const RETRIEVAL_SERIAL_EXTENSION = 'https://fhir.yilian.cn/StructureDefinition/retrieval-serial';

const PERFORMER_SQL: Record<'DiagnosticReport' | 'ImagingStudy', string> = {
  DiagnosticReport: 'SELECT performer FROM rm_lab_reports WHERE id = $1',
  ImagingStudy: 'SELECT performer FROM rm_imaging_studies WHERE id = $1',
};

/**
 * A retrieval (调阅) of another institution's result by an institution's client: the serial is
 * issued (a ResultRetrieved event) before the resource leaves, and printed on it as the
 * `retrieval-serial` extension. Nothing for the platform or auditors, for the institution's own
 * results, or where platform-api was given no event store.
 */
@Injectable()
export class RetrievalStamp {
  constructor(
    @Inject(READ_MODEL_POOL) private readonly pool: Pool,
    @Optional() @Inject(RetrievalSerials) private readonly serials?: RetrievalSerials,
  ) {}

  async stamp<T extends fhir4.DiagnosticReport | fhir4.ImagingStudy>(
    client: ReadClient,
    channel: RetrievalChannel,
    patientKey: string,
    resource: T,
  ): Promise<T> {
    if (!this.serials || client.role !== 'institution' || !client.institution || !resource.id)
      return resource;
    const { rows } = await this.pool.query<{ performer: string }>(PERFORMER_SQL[resource.resourceType], [
      resource.id,
    ]);
    const performer = rows[0]?.performer;
    if (!performer || performer === client.institution) return resource;
    const ref = `${resource.resourceType}/${resource.id}`;
    const serials = await this.serials.issue({
      institution: client.institution,
      actor: client.name,
      channel,
      now: new Date(),
      correlationId: randomUUID(),
      retrievals: [{ resource: ref, performer, patientKey }],
    });
    const serial = serials.get(ref);
    if (!serial) return resource;
    return {
      ...resource,
      extension: [
        ...(resource.extension ?? []).filter((e) => e.url !== RETRIEVAL_SERIAL_EXTENSION),
        { url: RETRIEVAL_SERIAL_EXTENSION, valueString: serial },
      ],
    };
  }
}
