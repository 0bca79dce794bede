/**
 * Original and enhanced acknowledgement modes (HL7 v2.5 section 2.9).
 *
 * - Original mode (MSH-15 and MSH-16 both empty): one ACK, sent once intake knows the outcome,
 *   i.e. after the durable append: AA accepted, AE content error (nothing appended), AR rejected
 *   (unsupported type / version / processing id) or internal error (the sender should resend).
 * - Enhanced mode (either one set): an accept (commit) ACK CA / CE / CR per MSH-15, and an
 *   application ACK AA / AE / AR per MSH-16. The hub finishes its processing at the append,
 *   so both are known at once and go back on the same connection, accept ACK first. Conditions
 *   (table 0155): AL always, NE never, ER only on error or reject, SU only on success.
 *   An empty MSH-15 in enhanced mode reads as AL and an empty MSH-16 as NE (send what is
 *   asked for, and at least the commit); an unknown value reads as AL (never leave a sender
 *   without an answer it asked for).
 */

export type AckCode = 'AA' | 'AE' | 'AR' | 'CA' | 'CE' | 'CR';
export type AckCondition = 'AL' | 'NE' | 'ER' | 'SU';

export type AckMode =
  | { readonly mode: 'original' }
  | { readonly mode: 'enhanced'; readonly accept: AckCondition; readonly application: AckCondition };

/** What intake made of a message. */
export type IntakeOutcome =
  /** appended durably (or already there: a resend) */
  | 'accepted'
  /** invalid content: nothing appended; ERR segments say what to fix */
  | 'content-error'
  /** unsupported message type, event, version or processing id */
  | 'rejected'
  /** the hub could not append (store down …): nothing appended, the sender should resend */
  | 'internal-error';

const CONDITIONS: ReadonlySet<string> = new Set(['AL', 'NE', 'ER', 'SU']);

function condition(value: string | undefined, whenEmpty: AckCondition): AckCondition {
  const v = (value ?? '').trim().toUpperCase();
  if (v === '') return whenEmpty;
  return CONDITIONS.has(v) ? (v as AckCondition) : 'AL';
}

/** The acknowledgement mode a message asks for, from MSH-15 and MSH-16. */
export function ackModeFor(msh15: string | undefined, msh16: string | undefined): AckMode {
  const accept = (msh15 ?? '').trim();
  const application = (msh16 ?? '').trim();
  if (accept === '' && application === '') return { mode: 'original' };
  return { mode: 'enhanced', accept: condition(accept, 'AL'), application: condition(application, 'NE') };
}

const ORIGINAL: Readonly<Record<IntakeOutcome, AckCode>> = {
  accepted: 'AA',
  'content-error': 'AE',
  rejected: 'AR',
  'internal-error': 'AR',
};
const COMMIT: Readonly<Record<IntakeOutcome, AckCode>> = {
  accepted: 'CA',
  'content-error': 'CE',
  rejected: 'CR',
  'internal-error': 'CE',
};

function wanted(when: AckCondition, success: boolean): boolean {
  switch (when) {
    case 'AL':
      return true;
    case 'NE':
      return false;
    case 'ER':
      return !success;
    case 'SU':
      return success;
  }
}

/** The ACK codes to send for an outcome, in the order to send them (possibly none). */
export function acknowledgementCodes(mode: AckMode, outcome: IntakeOutcome): AckCode[] {
  if (mode.mode === 'original') return [ORIGINAL[outcome]];
  const success = outcome === 'accepted';
  const codes: AckCode[] = [];
  if (wanted(mode.accept, success)) codes.push(COMMIT[outcome]);
  if (wanted(mode.application, success)) codes.push(ORIGINAL[outcome]);
  return codes;
}

/** What a list of mapping errors means for the ACK: none → accepted; an unsupported type,
 * event, processing id or version (200–203) → rejected; 207 → internal error; else content. */
export function outcomeOf(errors: readonly { readonly code: number }[]): IntakeOutcome {
  if (errors.length === 0) return 'accepted';
  if (errors.some((e) => e.code === 207)) return 'internal-error';
  if (errors.some((e) => e.code >= 200 && e.code <= 203)) return 'rejected';
  return 'content-error';
}
