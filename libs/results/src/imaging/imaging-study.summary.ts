import type { fhir4 } from '@yilian/contracts';

export const DICOM_UID_SYSTEM = 'urn:dicom:uid';
export const DICOM_DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const OID = /^urn:oid:([0-9]+(?:\.[0-9]+)*)$/;

/** The Study Instance UID (dotted) from `identifier` (`urn:dicom:uid`, `urn:oid:…`). */
export function studyInstanceUidOf(study: fhir4.ImagingStudy): string | undefined {
  for (const id of study.identifier ?? []) {
    const m = OID.exec(id.value ?? '');
    if (m && (id.system === DICOM_UID_SYSTEM || id.system === 'urn:ietf:rfc:3986')) return m[1];
  }
  return undefined;
}

/** DICOM modality codes of the study and its series, without repeats, in order. */
export function modalitiesOf(study: fhir4.ImagingStudy): string[] {
  const codes = [...(study.modality ?? []), ...(study.series ?? []).map((s) => s.modality)]
    .map((c) => c.code)
    .filter((c): c is string => !!c);
  return [...new Set(codes)];
}

/** Body sites: of the series, and of the BodyStructures the study's `bodySite` extension names. */
export function bodySitesOf(study: fhir4.ImagingStudy): fhir4.Coding[] {
  const fromSeries = (study.series ?? []).flatMap((s) => (s.bodySite ? [s.bodySite] : []));
  const named = new Set(
    (study.extension ?? [])
      .filter((e) => e.url === BODY_SITE_EXTENSION)
      .map((e) => e.valueReference?.reference),
  );
  const fromStructures = (study.contained ?? [])
    .filter((r): r is fhir4.BodyStructure => r.resourceType === 'BodyStructure' && named.has(`#${r.id}`))
    .flatMap((b) => b.location?.coding ?? []);
  const seen = new Set<string>();
  return [...fromSeries, ...fromStructures].filter((c) => {
    const key = `${c.system ?? ''}|${c.code ?? ''}|${c.display ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** R4 core extension: the body site of an element, as a Reference(BodyStructure). ImagingStudy
 * has body sites only on series (which need a series UID); an order's body site without
 * series goes here, pointing at a contained BodyStructure. */
export const BODY_SITE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/bodySite';
