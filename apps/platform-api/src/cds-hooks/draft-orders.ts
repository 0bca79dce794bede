/**
 * Which catalogue items each draft order names, for the requesting institution: its
 * ServiceRequest.code codings (LOINC, local, imaging procedure codes) and, for imaging, DICOM
 * modality codings (code or category) with ServiceRequest.bodySite — looked up in every
 * catalogue of a scope the requester belongs to, through the requester's own code map.
 */
import type { fhir4 } from '@yilian/contracts';
import { matchOrderItems, type OrderedCodes, type ResultCoding, type RulesAt } from '@yilian/recognition';
import type { CdsHookRequest } from './cds-hooks.types';

export const DICOM_SYSTEM = 'http://dicom.nema.org/resources/ontology/DCM';

export interface DraftOrder {
  /** `ServiceRequest/{id}`: what the card suggests deleting. */
  readonly reference: string;
  readonly text?: string;
  readonly codes: OrderedCodes;
}

function codingsOf(concept: fhir4.CodeableConcept | undefined): ResultCoding[] {
  return (concept?.coding ?? [])
    .filter((c): c is fhir4.Coding & { code: string } => typeof c.code === 'string' && c.code.length > 0)
    .map((c) => ({
      ...(c.system ? { system: c.system } : {}),
      code: c.code,
      ...(c.display ? { display: c.display } : {}),
    }));
}

function orderOf(sr: fhir4.ServiceRequest): DraftOrder {
  const codings = codingsOf(sr.code);
  const modalities = [...codings, ...(sr.category ?? []).flatMap(codingsOf)]
    .filter((c) => c.system === DICOM_SYSTEM)
    .map((c) => c.code.toUpperCase());
  const bodySites = (sr.bodySite ?? []).flatMap((s) => {
    const list = codingsOf(s);
    return list.length > 0 ? list : s.text ? [{ code: s.text, display: s.text }] : [];
  });
  const text = sr.code?.text ?? sr.code?.coding?.find((c) => c.display)?.display;
  return {
    reference: `ServiceRequest/${sr.id ?? ''}`,
    ...(text ? { text } : {}),
    codes: {
      codings: codings.filter((c) => c.system !== DICOM_SYSTEM),
      ...(modalities.length > 0 ? { modalities: [...new Set(modalities)] } : {}),
      ...(bodySites.length > 0 ? { bodySites } : {}),
    },
  };
}

/** The orders the hook asks about: order-select's selections, order-sign's every draft. */
export function draftOrdersOf(request: CdsHookRequest): DraftOrder[] {
  const selected = request.context.selections ? new Set(request.context.selections) : undefined;
  return (request.context.draftOrders.entry ?? [])
    .map((e) => e.resource)
    .filter((r): r is fhir4.ServiceRequest => r?.resourceType === 'ServiceRequest')
    .filter((sr) => !selected || selected.has(`ServiceRequest/${sr.id ?? ''}`))
    .map(orderOf);
}

/** Each order → the catalogue item codes it names in the requester's scopes (empty: outside
 * every catalogue, so no card). */
export function orderedItems(
  orders: readonly DraftOrder[],
  requester: string,
  rules: RulesAt,
): Map<DraftOrder, string[]> {
  const catalogues = rules.scopesOf(requester).flatMap((s) => {
    const c = rules.catalogues.get(s.code);
    return c ? [c] : [];
  });
  const codeMap = rules.codeMaps.get(requester);
  const out = new Map<DraftOrder, string[]>();
  for (const order of orders) {
    const items = new Set<string>();
    for (const catalogue of catalogues)
      for (const code of matchOrderItems(order.codes, catalogue, codeMap)) items.add(code);
    out.set(order, [...items]);
  }
  return out;
}
