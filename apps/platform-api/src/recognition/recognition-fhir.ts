/**
 * The eligibility answer as FHIR: each result the answer judges is the resource platform-api
 * serves for it (DiagnosticReport for lab, ImagingStudy for imaging), as the hub knew it at
 * `asOf`, carrying the `recognition-eligibility` extension (contracts/src/recognition/conformance). What is
 * recognised is the measured values and the images, never the diagnostic conclusion (Art. 2 of
 * 国卫医发〔2022〕6号): a DiagnosticReport goes without `conclusion`, `conclusionCode` and
 * `presentedForm`, and no imaging report (the DiagnosticReport holding the conclusion) is
 * ever part of the answer.
 */
import type { fhir4 } from '@yilian/contracts';
import type { EligibilityAnswer, ItemEligibility, ResultEligibility } from '@yilian/recognition';

const BASE = 'https://fhir.yilian.cn';

export const RECOGNITION_FHIR = {
  eligibilityExtension: `${BASE}/StructureDefinition/recognition-eligibility`,
  /** The serial of a retrieval (调阅) of another institution's result. */
  retrievalSerialExtension: `${BASE}/StructureDefinition/retrieval-serial`,
  /** Scope codes (`province:42`, `alliance:…`); the display is the scope's mark. */
  scopeSystem: `${BASE}/CodeSystem/recognition-scope`,
  /** The codes of NOT_RECOGNISABLE_REASONS. */
  reasonSystem: `${BASE}/CodeSystem/recognition-not-recognisable-reason`,
  reasonValueSet: `${BASE}/ValueSet/recognition-not-recognisable-reason`,
  operationDefinition: `${BASE}/OperationDefinition/Patient-recognisable`,
} as const;

type Extension = fhir4.Extension;

const reason = (code: string): Extension => ({
  url: 'reason',
  valueCoding: { system: RECOGNITION_FHIR.reasonSystem, code },
});

const scopeCoding = (scope: { code: string; mark: string }): Extension => ({
  url: 'scope',
  valueCoding: { system: RECOGNITION_FHIR.scopeSystem, code: scope.code, display: scope.mark },
});

function itemExtension(item: ItemEligibility): Extension {
  return {
    url: 'item',
    extension: [
      { url: 'code', valueCode: item.item.catalogueItemCode },
      { url: 'name', valueString: item.item.name },
      { url: 'status', valueCode: item.status },
      ...(item.scope ? [scopeCoding(item.scope)] : []),
      ...(item.validUntil ? [{ url: 'validUntil', valueDate: item.validUntil }] : []),
      ...item.reasons.map(reason),
    ],
  };
}

/** The extension for one result of the answer. */
export function eligibilityExtension(result: ResultEligibility, asOf: string): Extension {
  return {
    url: RECOGNITION_FHIR.eligibilityExtension,
    extension: [
      { url: 'status', valueCode: result.status },
      ...(result.scope ? [scopeCoding(result.scope), { url: 'mark', valueString: result.scope.mark }] : []),
      ...(result.validUntil ? [{ url: 'validUntil', valueDate: result.validUntil }] : []),
      ...result.reasons.map(reason),
      ...result.items.map(itemExtension),
      { url: 'asOf', valueInstant: asOf },
    ],
  };
}

/** The served resource, without what recognition never shows, with the extension appended. */
export function withEligibility(
  resource: fhir4.DiagnosticReport | fhir4.ImagingStudy,
  result: ResultEligibility,
  asOf: string,
): fhir4.DiagnosticReport | fhir4.ImagingStudy {
  const ext = [
    ...(resource.extension ?? []).filter(
      (e) =>
        e.url !== RECOGNITION_FHIR.eligibilityExtension &&
        e.url !== RECOGNITION_FHIR.retrievalSerialExtension,
    ),
    eligibilityExtension(result, asOf),
    ...(result.retrievalSerial
      ? [{ url: RECOGNITION_FHIR.retrievalSerialExtension, valueString: result.retrievalSerial }]
      : []),
  ];
  if (resource.resourceType === 'DiagnosticReport') {
    const { conclusion: _c, conclusionCode: _cc, presentedForm: _p, ...rest } = resource;
    return { ...rest, extension: ext };
  }
  return { ...resource, extension: ext };
}

/** The resources of an answer in its order; a result whose resource the read model lacks
 * (not projected yet) is left out and counted. */
export function eligibilityResources(
  answer: EligibilityAnswer,
  resources: ReadonlyMap<string, fhir4.DiagnosticReport | fhir4.ImagingStudy>,
): { resources: (fhir4.DiagnosticReport | fhir4.ImagingStudy)[]; missing: ResultEligibility[] } {
  const out: (fhir4.DiagnosticReport | fhir4.ImagingStudy)[] = [];
  const missing: ResultEligibility[] = [];
  for (const r of answer.results) {
    const resource = resources.get(`${r.resourceType}/${r.resourceId}`);
    if (resource) out.push(withEligibility(resource, r, answer.asOf));
    else missing.push(r);
  }
  return { resources: out, missing };
}
