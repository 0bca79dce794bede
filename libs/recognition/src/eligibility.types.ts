/**
 * The eligibility answer (检查检验结果互认): for a patient, a requesting institution and a
 * moment, every result the hub holds with whether the requester may recognise it, and why not.
 * Shared by the eligibility query (recognition part 1), decisions, the CDS Hooks duplicate-test
 * alert and the indicators (part 2), and the console. Extend it; do not break it.
 */

/** Why a result is not recognisable; a result may have several. */
export const NOT_RECOGNISABLE_REASONS = [
  'not-in-shared-catalogue', // no catalogue of a scope both institutions belong to lists the item
  'quality-not-valid', // the performer's 质控合格 status was not valid on the result's date
  'window-passed', // the item's validity window has ended (Asia/Shanghai calendar days)
  'direction-not-allowed', // the scope's direction rule refuses performer level → requester level
  'result-amended', // amended or corrected since (the latest version is judged; see README)
  'result-cancelled', // cancelled / entered-in-error
  'result-preliminary', // not final
  'own-result', // the requester performed it
] as const;
export type NotRecognisableReason = (typeof NOT_RECOGNISABLE_REASONS)[number];

// No imports: the console compiles this file for the browser.
/** Lab (检验) or imaging (检查); the same union as the catalogue contract's. */
export type ResultKind = 'lab' | 'imaging';

export interface ResultCoding {
  readonly system?: string;
  readonly code: string;
  readonly display?: string;
}

/** What an imaging result shows recognition: never the diagnostic conclusion (Art. 2). */
export interface ImagingSummary {
  readonly modalities: readonly string[];
  readonly bodySites: readonly ResultCoding[];
  readonly procedureCodes: readonly ResultCoding[];
  readonly studyInstanceUid?: string;
  readonly description?: string;
  readonly numberOfSeries?: number;
  readonly numberOfInstances?: number;
}

export interface RecognitionScopeRef {
  /** Stable code, e.g. `province:42` or `alliance:wuhan-east`. */
  readonly code: string;
  /** The mark printed on reports, e.g. `鄂HR`; data from the catalogue. */
  readonly mark: string;
}

export interface MatchedItem {
  readonly catalogueItemCode: string;
  readonly name: string;
  readonly kind: ResultKind;
  readonly validityDays: number;
  /** Price in CNY (元) for money-saved indicators; undefined when the catalogue gives none. */
  readonly priceYuan?: number;
}

/** One catalogue item a result covers (a lab report covers the items of its panel and of each
 * observation: K, Na, glucose … each with its own window) and whether it is recognisable. */
export interface ItemEligibility {
  readonly item: MatchedItem;
  readonly status: 'recognisable' | 'not-recognisable';
  readonly scope?: RecognitionScopeRef;
  readonly validUntil?: string;
  readonly reasons: readonly NotRecognisableReason[];
  /** The observations (lab) the item was matched on; empty when it is the report's own code. */
  readonly observationIds: readonly string[];
}

/** A lab value as the performer reported it (the measured value is what is recognised). */
export interface LabValue {
  readonly observationId?: string;
  readonly name?: string;
  readonly codes: readonly string[];
  readonly value?: string;
  readonly unit?: string;
  readonly referenceRange?: string;
  readonly interpretation?: string;
}

export interface ResultEligibility {
  /** The result's event stream, e.g. `labreport-{org}-{accession}` or `imaging-{org}-{accession}`. */
  readonly resultStream: string;
  /** FHIR id of the DiagnosticReport (lab) or ImagingStudy (imaging) served by platform-api. */
  readonly resourceType: 'DiagnosticReport' | 'ImagingStudy';
  readonly resourceId: string;
  readonly kind: ResultKind;
  readonly performer: string;
  /** The version judged: the latest the hub knew at the moment. */
  readonly version: number;
  /** FHIR status of that version. */
  readonly resultStatus: string;
  /** When the specimen was taken / the study was done (ISO instant). */
  readonly effective: string;
  /** The catalogue item the result matched, if any. */
  readonly item?: MatchedItem;
  readonly status: 'recognisable' | 'not-recognisable';
  /** Set when recognisable: the scope that allows it (the widest-validity one on ties). */
  readonly scope?: RecognitionScopeRef;
  /** Set when recognisable: the last calendar day (YYYY-MM-DD, Asia/Shanghai) it is recognisable. */
  readonly validUntil?: string;
  /** Empty when recognisable. */
  readonly reasons: readonly NotRecognisableReason[];
  /** Every catalogue item the result covers, each judged on its own window. */
  readonly items: readonly ItemEligibility[];
  /** Lab: the values. */
  readonly values?: readonly LabValue[];
  /** Imaging: the study (modalities, body sites, counts) — never the diagnostic conclusion. */
  readonly imaging?: ImagingSummary;
  /** The serial of this retrieval (调阅) when an institution was shown another's result. */
  readonly retrievalSerial?: string;
}

export interface EligibilityQuery {
  /** Any of the patient's keys; the answer covers every key linked to it. */
  readonly patientKey: string;
  /** The institution asking (from its credential, never from the body). */
  readonly requester: string;
  /** The moment: the answer is what the hub knew and would have said then. */
  readonly asOf: Date;
}

export interface EligibilityAnswer {
  readonly patientKey: string;
  readonly requester: string;
  readonly asOf: string;
  readonly results: readonly ResultEligibility[];
}

/** The port the read side, decisions and CDS Hooks call. */
export interface EligibilityService {
  eligibility(query: EligibilityQuery): Promise<EligibilityAnswer>;
}
