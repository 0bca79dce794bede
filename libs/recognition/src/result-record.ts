/**
 * A result as recognition judges it: one version of a lab report (with its observations'
 * codes and values) or of an imaging study (modalities, body sites, procedure codes — never a
 * diagnostic conclusion, Art. 2 of the 2022 measures), from the event that recorded it.
 */
import {
  IMAGING_STUDY_RECORDED,
  LAB_REPORT_RECORDED,
  type fhir4,
  type ImagingStudyRecordedV1,
  labReportOf,
  type RecordedEvent,
} from '@yilian/contracts';
import type { ImagingSummary, ResultCoding, ResultKind } from './eligibility.types';
export type { ImagingSummary, ResultCoding };

/** A thing the result reports that a catalogue item may name: the report itself, each
 * observation (lab), the study (imaging). */
export interface ResultLine {
  readonly codings: readonly ResultCoding[];
  readonly observationId?: string;
  readonly name?: string;
  readonly value?: string;
  readonly unit?: string;
  readonly referenceRange?: string;
  readonly interpretation?: string;
}

export interface ResultRecord {
  readonly stream: string;
  /** 1-based version in its stream (the stream position of the event + 1). */
  readonly version: number;
  readonly patientKey: string;
  readonly performer: string;
  readonly kind: ResultKind;
  readonly resourceType: 'DiagnosticReport' | 'ImagingStudy';
  readonly resourceId: string;
  /** FHIR status of this version (DiagnosticReport.status / ImagingStudy.status). */
  readonly status: string;
  /** When the specimen was taken / the study was done (ISO instant). */
  readonly effective: string;
  readonly recordedAt: string;
  readonly lines: readonly ResultLine[];
  readonly imaging?: ImagingSummary;
}

export const RESULT_EVENT_TYPES: readonly string[] = [LAB_REPORT_RECORDED, IMAGING_STUDY_RECORDED];

function codingsOf(concept: fhir4.CodeableConcept | undefined): ResultCoding[] {
  return (concept?.coding ?? [])
    .filter((c): c is fhir4.Coding & { code: string } => typeof c.code === 'string' && c.code.length > 0)
    .map((c) => ({
      ...(c.system ? { system: c.system } : {}),
      code: c.code,
      ...(c.display ? { display: c.display } : {}),
    }));
}

function quantityText(q: fhir4.Quantity | undefined): string | undefined {
  return q?.value === undefined ? undefined : String(q.value);
}

function valueOf(o: fhir4.Observation): { value?: string; unit?: string } {
  if (o.valueQuantity)
    return { value: quantityText(o.valueQuantity), unit: o.valueQuantity.unit ?? o.valueQuantity.code };
  if (o.valueString !== undefined) return { value: o.valueString };
  if (o.valueCodeableConcept)
    return {
      value:
        o.valueCodeableConcept.text ??
        o.valueCodeableConcept.coding?.[0]?.display ??
        o.valueCodeableConcept.coding?.[0]?.code,
    };
  if (o.valueInteger !== undefined) return { value: String(o.valueInteger) };
  if (o.valueBoolean !== undefined) return { value: String(o.valueBoolean) };
  return {};
}

function rangeOf(o: fhir4.Observation): string | undefined {
  const r = o.referenceRange?.[0];
  if (!r) return undefined;
  if (r.text) return r.text;
  const low = quantityText(r.low);
  const high = quantityText(r.high);
  if (low === undefined && high === undefined) return undefined;
  return `${low ?? ''}-${high ?? ''}`;
}

function definedOnly<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function labRecord(event: RecordedEvent): ResultRecord {
  const { report, observations, specimens, performer } = labReportOf(event);
  const collected = specimens?.[0]?.collection?.collectedDateTime;
  const effective =
    report.effectiveDateTime ??
    report.effectivePeriod?.start ??
    collected ??
    observations[0]?.effectiveDateTime ??
    report.issued ??
    event.recordedAt;
  const lines: ResultLine[] = [
    definedOnly({
      codings: codingsOf(report.code),
      name: report.code?.text ?? report.code?.coding?.[0]?.display,
    }),
    ...observations.map((o) =>
      definedOnly({
        codings: codingsOf(o.code),
        observationId: o.id,
        name: o.code?.text ?? o.code?.coding?.[0]?.display,
        ...valueOf(o),
        referenceRange: rangeOf(o),
        interpretation: o.interpretation?.[0]?.coding?.[0]?.code,
      }),
    ),
  ];
  return {
    stream: event.stream,
    version: Number(event.streamPosition) + 1,
    patientKey: event.metadata.patientKey ?? '',
    performer,
    kind: 'lab',
    resourceType: 'DiagnosticReport',
    resourceId: report.id!,
    status: report.status,
    effective: new Date(Date.parse(effective)).toISOString(),
    recordedAt: event.recordedAt,
    lines,
  };
}

function imagingRecord(event: RecordedEvent<string, ImagingStudyRecordedV1>): ResultRecord {
  const { study, performer, modalities, bodySite, studyInstanceUid } = event.data;
  const sites = new Map<string, ResultCoding>();
  for (const c of [
    ...(bodySite ?? []),
    ...(study.series ?? []).flatMap((s) => (s.bodySite ? [s.bodySite] : [])),
  ])
    if (c.code)
      sites.set(
        `${c.system ?? ''}|${c.code}`,
        definedOnly({ system: c.system, code: c.code, display: c.display }),
      );
  const procedureCodes = (study.procedureCode ?? []).flatMap(codingsOf);
  const imaging: ImagingSummary = definedOnly({
    modalities: [
      ...new Set([...modalities, ...(study.modality ?? []).flatMap((m) => (m.code ? [m.code] : []))]),
    ],
    bodySites: [...sites.values()],
    procedureCodes,
    studyInstanceUid,
    description: study.description,
    numberOfSeries: study.numberOfSeries,
    numberOfInstances: study.numberOfInstances,
  });
  return {
    stream: event.stream,
    version: Number(event.streamPosition) + 1,
    patientKey: event.metadata.patientKey ?? '',
    performer,
    kind: 'imaging',
    resourceType: 'ImagingStudy',
    resourceId: study.id!,
    status: study.status,
    effective: new Date(Date.parse(study.started ?? event.recordedAt)).toISOString(),
    recordedAt: event.recordedAt,
    lines: [{ codings: procedureCodes, ...(study.description ? { name: study.description } : {}) }],
    imaging,
  };
}

/** The record a result event makes; undefined for any other event. */
export function resultRecordOf(event: RecordedEvent): ResultRecord | undefined {
  if (event.type === LAB_REPORT_RECORDED) return labRecord(event);
  if (event.type === IMAGING_STUDY_RECORDED)
    return imagingRecord(event as RecordedEvent<string, ImagingStudyRecordedV1>);
  return undefined;
}
