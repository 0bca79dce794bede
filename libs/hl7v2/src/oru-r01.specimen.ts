/**
 * SPM (v2.5+) or, without SPM, OBR-15 (v2.3 / 2.4 specimen source) → FHIR Specimen.
 * SPM-2 specimen id (filler's, else placer's) → identifier; SPM-4 → type; SPM-8 → collection
 * bodySite; SPM-17 → collection collected[x]; SPM-18 → receivedTime; SPM-14 and NTEs → note.
 * OBR-15.1 (code&text&system) → type, OBR-15.4 → bodySite, OBR-7 / OBR-8 → collected[x],
 * OBR-14 → receivedTime. `subject` is the caller's to set, as on every resource of a draft.
 */
import type * as fhir4 from 'fhir/r4';
import { codeableConcept } from './coding';
import { HL7_ERROR, type Hl7Error } from './hl7-error';
import { componentsOf, rawComponent, repetitionCount, textComponent, textSubcomponent } from './hl7-fields';
import { parseHl7DateTime, periodOrder } from './hl7-datetime';
import type { OrderGroup, SegmentRef, SpecimenGroup } from './oru-r01.groups';
import { annotations, noteTexts } from './oru-r01.notes';
import { nameBasedUuid } from './resource-id';

export interface SpecimenEnv {
  readonly institution: string;
  readonly accession: string;
  readonly defaultUtcOffset: string;
  readonly errors: Hl7Error[];
  /** OBR-7, already read by the report. */
  readonly collected?: string;
}

function timestamp(ref: SegmentRef, field: number, component: number, env: SpecimenEnv): string | undefined {
  const raw = rawComponent(ref.segment, field, component);
  const text = raw.split(ref.segment.context.subcomponentSeparator)[0]!.trim();
  if (!text) return undefined;
  const parsed = parseHl7DateTime(text, env.defaultUtcOffset);
  if (!parsed) {
    const at = {
      segment: ref.segment.name,
      sequence: ref.sequence,
      field,
      ...(component > 1 ? { component } : {}),
    };
    env.errors.push({
      ...at,
      code: HL7_ERROR.dataType,
      message: `${ref.segment.name}-${field} is not a date/time`,
    });
  }
  return parsed?.dateTime;
}

/**
 * collected[x] from the start and end sent: a Period when FHIR can order them (per-1: start ≤ end);
 * an end before the start is refused (102 at the end's field); an end FHIR cannot order against
 * the start (`…T08:00` and a date alone of that day) leaves collectedDateTime and gives the note
 * that keeps it (returned).
 */
function collectionPeriod(
  collection: fhir4.SpecimenCollection,
  start: string | undefined,
  end: string | undefined,
  at: { ref: SegmentRef; field: number; component?: number },
  env: SpecimenEnv,
): string | undefined {
  if (!start) return undefined;
  const order = end ? periodOrder(start, end) : 'ok';
  if (end && order === 'ok') {
    collection.collectedPeriod = { start, end };
    return undefined;
  }
  collection.collectedDateTime = start;
  if (!end) return undefined;
  if (order === 'before') {
    env.errors.push({
      segment: at.ref.segment.name,
      sequence: at.ref.sequence,
      field: at.field,
      ...(at.component ? { component: at.component } : {}),
      code: HL7_ERROR.dataType,
      message: `${at.ref.segment.name}-${at.field}${at.component ? `.${at.component}` : ''} (collection end) is before its start`,
    });
    return undefined;
  }
  return `collection ended: ${end}`;
}

function specimenResource(
  env: SpecimenEnv,
  index: number,
  identifier: string,
  parts: Omit<fhir4.Specimen, 'resourceType' | 'id' | 'identifier'>,
): fhir4.Specimen {
  const key = identifier ? `specimen|${identifier}` : `${env.accession}|Specimen|${index}`;
  const specimen: fhir4.Specimen = {
    resourceType: 'Specimen',
    id: nameBasedUuid(`${env.institution}|${key}`),
  };
  if (identifier)
    specimen.identifier = [
      { system: `urn:yilian:institution:${env.institution}:specimen`, value: identifier },
    ];
  return Object.assign(specimen, parts);
}

function fromSpm(group: SpecimenGroup, index: number, env: SpecimenEnv): fhir4.Specimen {
  const spm = group.spm;
  const id = textSubcomponent(spm.segment, 2, 2, 1) || textSubcomponent(spm.segment, 2, 1, 1);
  const type = codeableConcept(componentsOf(spm.segment, 4), env.institution);
  const site = codeableConcept(componentsOf(spm.segment, 8), env.institution);
  const start = timestamp(spm, 17, 1, env);
  const end = timestamp(spm, 17, 2, env);
  const received = timestamp(spm, 18, 1, env);
  const descriptions: string[] = [];
  for (let r = 1; r <= repetitionCount(spm.segment, 14); r++) {
    const d = textComponent(spm.segment, 14, 1, r);
    if (d) descriptions.push(d);
  }
  const collection: fhir4.SpecimenCollection = {};
  const ended = collectionPeriod(collection, start, end, { ref: spm, field: 17, component: 2 }, env);
  if (site) collection.bodySite = site;
  const notes = annotations([...descriptions, ...(ended ? [ended] : []), ...noteTexts(group.notes)]);
  return specimenResource(env, index, id, {
    ...(type ? { type } : {}),
    ...(received ? { receivedTime: received } : {}),
    ...(Object.keys(collection).length > 0 ? { collection } : {}),
    ...(notes.length > 0 ? { note: notes } : {}),
  });
}

function fromObr15(order: OrderGroup, env: SpecimenEnv): fhir4.Specimen | undefined {
  const obr = order.obr;
  const source = rawComponent(obr.segment, 15, 1);
  const sub = obr.segment.context.subcomponentSeparator;
  const type = source
    ? codeableConcept(
        source.split(sub).map((s) => s.trim()),
        env.institution,
      )
    : undefined;
  const site = codeableConcept(textComponent(obr.segment, 15, 4).split(sub), env.institution);
  if (!type && !site) return undefined;
  const start = env.collected;
  const end = start ? timestamp(obr, 8, 1, env) : undefined;
  const received = timestamp(obr, 14, 1, env);
  const collection: fhir4.SpecimenCollection = {};
  const ended = collectionPeriod(collection, start, end, { ref: obr, field: 8 }, env);
  if (site) collection.bodySite = site;
  return specimenResource(env, 0, '', {
    ...(type ? { type } : {}),
    ...(received ? { receivedTime: received } : {}),
    ...(ended ? { note: annotations([ended]) } : {}),
    ...(Object.keys(collection).length > 0 ? { collection } : {}),
  });
}

export function mapSpecimens(order: OrderGroup, env: SpecimenEnv): fhir4.Specimen[] {
  if (order.specimens.length > 0) return order.specimens.map((group, i) => fromSpm(group, i, env));
  const fromObr = fromObr15(order, env);
  return fromObr ? [fromObr] : [];
}
