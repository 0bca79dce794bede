/**
 * A retrieval (调阅) of another institution's result, with its serial number (issue 12): unique
 * and gap-free per retrieving institution and Asia/Shanghai day, because the serial IS the
 * event's position in the day's stream (`recognition-retrievals-{institution}-{YYYYMMDD}`),
 * appended with the expected revision — two retrievals cannot take the same number and an
 * append that fails takes none.
 */
import { institutionCode, instant, integer, object, oneOf, text, type DataCheck } from '../referrals/schema';
import { day } from './recognition-rules.v1';

export const RESULT_RETRIEVED = 'ResultRetrieved';
export const RETRIEVAL_CHANNELS = [
  'fhir-read',
  'eligibility',
  'console',
  'cds-hooks',
  'everything',
  'export',
] as const;
export type RetrievalChannel = (typeof RETRIEVAL_CHANNELS)[number];

export interface ResultRetrievedV1 {
  /** `{institution}-{YYYYMMDD}-{sequence, 6 digits}`, printed on what is returned. */
  readonly serial: string;
  /** 1, 2, 3 … within the institution's day. */
  readonly sequence: number;
  readonly day: string;
  /** The retrieving institution (from the credential). */
  readonly institution: string;
  /** The client (credential name) that retrieved. */
  readonly actor: string;
  readonly channel: RetrievalChannel;
  /** `DiagnosticReport/{id}` or `ImagingStudy/{id}`. */
  readonly resource: string;
  readonly performer: string;
  readonly retrievedAt: string;
}

export const checkResultRetrievedV1: DataCheck = object<ResultRetrievedV1>({
  serial: text({ max: 100 }),
  sequence: integer(1, 100_000_000),
  day,
  institution: institutionCode,
  actor: text({ max: 200 }),
  channel: oneOf(RETRIEVAL_CHANNELS),
  resource: text({ max: 200 }),
  performer: institutionCode,
  retrievedAt: instant,
});

export function retrievalStream(institution: string, day: string): string {
  return `recognition-retrievals-${institution}-${day.replaceAll('-', '')}`;
}

export function retrievalSerial(institution: string, day: string, sequence: number): string {
  return `${institution}-${day.replaceAll('-', '')}-${String(sequence).padStart(6, '0')}`;
}
