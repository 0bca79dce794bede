/**
 * Upcasting on read: the log keeps every event in the version it was recorded in (a published
 * version is never edited), and whoever reads it for the hub's own read models — the Kafka
 * projector, the in-process projector, a rebuild — passes each event through
 * `upcastRecordedEvent`, so projections see only the latest version of each type.
 *
 * One upcaster per (type, version): it turns version n into n + 1; they chain. An event whose
 * version has no upcaster, or whose data does not fit its version, is handed on unchanged and
 * the projection's own parser says what is wrong.
 */
import type { RecordedEvent } from './envelope';
import {
  checkOutpatientVolumeReportedV1,
  OUTPATIENT_VOLUME_REPORTED,
  type OutpatientVolumeReportedV1,
} from './alliance/outpatient-volume-reported.v1';
import { upcastOutpatientVolumeReportedV1 } from './alliance/outpatient-volume-reported.v2';

interface Upcaster {
  readonly type: string;
  /** The version it reads; it returns `from + 1`. */
  readonly from: number;
  /** Problems of the data at `from` (empty: it can be upcast). */
  readonly check: (data: unknown, path: string) => string[];
  readonly upcast: (data: never) => unknown;
}

const UPCASTERS: readonly Upcaster[] = [
  {
    type: OUTPATIENT_VOLUME_REPORTED,
    from: 1,
    check: checkOutpatientVolumeReportedV1,
    upcast: (data: OutpatientVolumeReportedV1) => upcastOutpatientVolumeReportedV1(data),
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
