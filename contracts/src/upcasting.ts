/**
 * Upcasting on read, downcasting on publication: the log keeps every event in the version it was recorded in (a published
 * version is never edited), and whoever reads it for the hub's own read models — the Kafka
 * projector, the in-process projector, a rebuild — passes each event through
 * `upcastRecordedEvent`, so projections see only the latest version of each type.
 *
 * One upcaster per (type, version): it turns version n into n + 1; they chain. An event whose
 * version has no upcaster, or whose data does not fit its version, is handed on unchanged and
 * the projection's own parser says what is wrong.
 *
 * The other way, for Kafka: each type's topic carries one version, the oldest the contract
 * still declares (`publishedSchemaVersion`; AsyncAPI rule 3). The relay passes every event
 * through `downcastToPublished` before publishing it, so a consumer of v1 keeps reading v1
 * when a producer starts recording v2. Same leniency: data that does not fit its version is
 * published as recorded.
 */
import type { RecordedEvent } from './envelope';
import {
  checkOutpatientVolumeReportedV1,
  OUTPATIENT_VOLUME_REPORTED,
  type OutpatientVolumeReportedV1,
} from './alliance/outpatient-volume-reported.v1';
import {
  checkOutpatientVolumeReportedV2,
  downcastOutpatientVolumeReportedV2,
  type OutpatientVolumeReportedV2,
  upcastOutpatientVolumeReportedV1,
} from './alliance/outpatient-volume-reported.v2';
import { LAB_REPORT_RECORDED, type LabReportRecordedV1 } from './results/lab-report-recorded.v1';
import {
  checkLabReportRecordedV1,
  checkLabReportRecordedV2,
  downcastLabReportRecordedV2,
  type LabReportRecordedV2,
  upcastLabReportRecordedV1,
} from './results/lab-report-recorded.v2';

interface Upcaster {
  readonly type: string;
  /** The version it reads; it returns `from + 1`. */
  readonly from: number;
  /** Problems of the data at `from` (empty: it can be upcast). */
  readonly check: (data: unknown, path: string) => string[];
  readonly upcast: (data: never) => unknown;
  /** Problems of the data at `from + 1` (empty: it can be downcast). */
  readonly checkNext: (data: unknown, path: string) => string[];
  /** `from + 1` → `from`: what a consumer of `from` is given. */
  readonly downcast: (data: never) => unknown;
}

const UPCASTERS: readonly Upcaster[] = [
  {
    type: OUTPATIENT_VOLUME_REPORTED,
    from: 1,
    check: checkOutpatientVolumeReportedV1,
    upcast: (data: OutpatientVolumeReportedV1) => upcastOutpatientVolumeReportedV1(data),
    checkNext: checkOutpatientVolumeReportedV2,
    downcast: (data: OutpatientVolumeReportedV2) => downcastOutpatientVolumeReportedV2(data),
  },
  {
    type: LAB_REPORT_RECORDED,
    from: 1,
    check: checkLabReportRecordedV1,
    upcast: (data: LabReportRecordedV1) => upcastLabReportRecordedV1(data),
    checkNext: checkLabReportRecordedV2,
    downcast: (data: LabReportRecordedV2) => downcastLabReportRecordedV2(data),
  },
];

/** Every (type, version) the contract knows that is not version 1: what the AsyncAPI
 * document must list beside the v1s. */
export const LATER_EVENT_VERSIONS: readonly { readonly type: string; readonly version: number }[] =
  UPCASTERS.map((u) => ({ type: u.type, version: u.from + 1 }));

/** The latest version of an event type (1 for a type that never changed). */
export function latestSchemaVersion(type: string): number {
  return UPCASTERS.filter((u) => u.type === type).reduce((v, u) => Math.max(v, u.from + 1), 1);
}

/** The event at the latest version of its type; the same object when nothing was to do. */
export function upcastRecordedEvent<E extends Pick<RecordedEvent, 'type' | 'schemaVersion' | 'data'>>(
  event: E,
): E {
  let current = event;
  for (;;) {
    const step = UPCASTERS.find((u) => u.type === current.type && u.from === current.schemaVersion);
    if (!step || step.check(current.data, 'data').length > 0) return current;
    current = { ...current, schemaVersion: step.from + 1, data: step.upcast(current.data as never) };
  }
}

/** The version a type is published at on Kafka: the oldest one declared (1 for a type that
 * never changed; a version dropped after its notice takes its upcaster and downcaster along). */
export function publishedSchemaVersion(type: string): number {
  const froms = UPCASTERS.filter((u) => u.type === type).map((u) => u.from);
  return froms.length === 0 ? 1 : Math.min(...froms);
}

/** The event at its type's published version (`publishedSchemaVersion`), for Kafka; the same
 * object when it already is. The rest of the envelope (id, positions, hashes) is the recorded
 * event's: the hashes name the log entry, they are not a digest of the published value. */
export function downcastToPublished<E extends Pick<RecordedEvent, 'type' | 'schemaVersion' | 'data'>>(
  event: E,
): E {
  const target = publishedSchemaVersion(event.type);
  let current = event;
  while (current.schemaVersion > target) {
    const step = UPCASTERS.find((u) => u.type === current.type && u.from + 1 === current.schemaVersion);
    if (!step || step.checkNext(current.data, 'data').length > 0) return current;
    current = { ...current, schemaVersion: step.from, data: step.downcast(current.data as never) };
  }
  return current;
}
