// FHIR R4 types come from @types/fhir, pinned to 0.0.44 whose r4.d.ts holds the R4 types
// (its `latest` tag holds STU3 only).
export type * as fhir4 from 'fhir/r4';
