/**
 * Issues retrieval serials: every retrieval of another institution's result is a
 * `ResultRetrieved` event whose sequence is its position in the institution's day stream. One
 * append per answer (a searchset of five results takes five consecutive numbers at once); a
 * concurrent writer makes the append fail on its expected revision and it is retried with the
 * next numbers — so the numbers are unique and gap-free.
 */
import { randomUUID } from 'node:crypto';
import {
  RESULT_RETRIEVED,
  retrievalSerial,
  retrievalStream,
  type EventSource,
  type ResultRetrievedV1,
  type RetrievalChannel,
} from '@yilian/contracts';
import { WrongExpectedRevisionError, type EventStore } from '@yilian/event-store';
import { shanghaiDay } from '../days';

export interface Retrieval {
  readonly resource: string;
  readonly performer: string;
  readonly patientKey?: string;
}

export interface RetrievalRequest {
  readonly institution: string;
  readonly actor: string;
  readonly channel: RetrievalChannel;
  readonly now: Date;
  readonly correlationId: string;
  /** What was returned; the requester's own results take no serial. */
  readonly retrievals: readonly Retrieval[];
}

const MAX_ATTEMPTS = 50;

/** Issues serials; remembers each day stream's last revision, so a day of thousands of
 * retrievals is not re-read on every one (only its tail, after a conflict). */
export class RetrievalSerials {
  private readonly known = new Map<string, bigint>();

  constructor(private readonly store: EventStore) {}

  /** Serials for the retrievals of other institutions' results (`resource` → serial); empty
   * when none was another institution's. */
  async issue(request: RetrievalRequest): Promise<Map<string, string>> {
    return issueRetrievalSerials(this.store, request, this.known);
  }
}

export async function issueRetrievalSerials(
  store: EventStore,
  request: RetrievalRequest,
  known: Map<string, bigint> = new Map(),
): Promise<Map<string, string>> {
  const foreign = request.retrievals.filter((r) => r.performer !== request.institution);
  if (foreign.length === 0) return new Map();
  const day = shanghaiDay(request.now);
  const stream = retrievalStream(request.institution, day);
  const source: EventSource = {
    institution: request.institution,
    messageId: request.correlationId,
    protocol: 'hub',
  };
  let revision = await lastRevision(store, stream, known.get(stream));
  for (let attempt = 1; ; attempt++) {
    const first = revision === undefined ? 1 : Number(revision) + 2;
    const data: ResultRetrievedV1[] = foreign.map((r, i) => ({
      serial: retrievalSerial(request.institution, day, first + i),
      sequence: first + i,
      day,
      institution: request.institution,
      actor: request.actor,
      channel: request.channel,
      resource: r.resource,
      performer: r.performer,
      retrievedAt: request.now.toISOString(),
    }));
    try {
      await store.append(
        stream,
        data.map((d, i) => ({
          id: randomUUID(),
          type: RESULT_RETRIEVED,
          schemaVersion: 1,
          data: d,
          metadata: {
            source,
            correlationId: request.correlationId,
            occurredAt: d.retrievedAt,
            ...(foreign[i]!.patientKey ? { patientKey: foreign[i]!.patientKey } : {}),
          },
        })),
        revision === undefined ? 'no_stream' : revision,
      );
      known.set(stream, BigInt(first + data.length - 2));
      if (known.size > 10_000) known.clear();
      return new Map(data.map((d) => [d.resource, d.serial]));
    } catch (e) {
      if (!(e instanceof WrongExpectedRevisionError) || attempt >= MAX_ATTEMPTS) throw e;
      revision = await lastRevision(store, stream, revision);
    }
  }
}

/** The stream's last revision, reading only what follows `after` when it is known. */
async function lastRevision(
  store: EventStore,
  stream: string,
  after: bigint | undefined,
): Promise<bigint | undefined> {
  const tail = await store.readStream(stream, after === undefined ? {} : { fromRevision: after + 1n });
  return tail[tail.length - 1]?.streamPosition ?? after;
}
