import type { Request, Response } from 'express';

/** One FHIR write to `/fhir`, as the dispatcher (`FhirIntakeController`) hands it to a slice. */
export interface FhirWrite {
  readonly method: 'POST' | 'PUT';
  /** The resource type in the path; undefined for `POST /fhir` (a transaction Bundle). */
  readonly type?: string;
  /** The id in the path (`PUT /fhir/Task/{id}`). */
  readonly id?: string;
  /** The institution the API key belongs to (authenticated before any slice is asked). */
  readonly institution: string;
  /** `X-Correlation-Id`, when it is a token fit to keep. */
  readonly correlationId?: string;
  readonly body: unknown;
  readonly req: Request;
  readonly res: Response;
}

/**
 * A domain slice's FHIR writes: which writes to `/fhir` are its — by method, path and, for a
 * transaction Bundle or a DiagnosticReport, by content — and how it answers them. The dispatcher
 * asks the slices in order; the first that takes a write answers it.
 */
export interface FhirWriteSlice {
  takes(write: FhirWrite): boolean;
  write(write: FhirWrite): Promise<void>;
}

/** The slices, in the order the dispatcher asks them (lab results last: they take the rest). */
export const FHIR_WRITE_SLICES = Symbol('FHIR_WRITE_SLICES');

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
