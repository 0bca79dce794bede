import type { fhir4 } from '@yilian/contracts';

function unionBy<T>(
  previous: T[] | undefined,
  update: T[] | undefined,
  key: (t: T) => string,
): T[] | undefined {
  if (!update) return previous;
  const keys = new Set(update.map(key));
  return [...(previous ?? []).filter((t) => !keys.has(key(t))), ...update];
}

/**
 * A partial update laid onto the study's latest version: what the update states wins; what it
 * leaves out stays (a RIS report naming the UID does not drop the counts and endpoint a PACS
 * sent). Identifiers, endpoints, extensions and contained resources are merged by their key.
 */
export function mergeStudy(previous: fhir4.ImagingStudy, update: fhir4.ImagingStudy): fhir4.ImagingStudy {
  const identifier = unionBy(previous.identifier, update.identifier, (i) => `${i.system}|${i.value}`);
  const endpoint = unionBy(previous.endpoint, update.endpoint, (r) => r.reference ?? '');
  const extension = unionBy(previous.extension, update.extension, (e) => e.url);
  const contained = unionBy(previous.contained, update.contained, (r) => r.id ?? '');
  return {
    ...previous,
    ...update,
    ...(identifier ? { identifier } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(extension ? { extension } : {}),
    ...(contained ? { contained } : {}),
  };
}
