/**
 * ORC-1 order control (HL7 table 0119): what a placer may ask, the ServiceRequest status it
 * means, and the code the response's ORC-1 answers it with (OK / CR / DR / XR / HR / OR when
 * done, UA / UC / UD / UX / UH / UR when not).
 */
import type * as fhir4 from 'fhir/r4';

interface Control {
  readonly status: fhir4.ServiceRequest['status'];
  readonly done: string;
  readonly refused: string;
}

const CONTROLS: Readonly<Record<string, Control>> = {
  NW: { status: 'active', done: 'OK', refused: 'UA' },
  PA: { status: 'active', done: 'OK', refused: 'UA' },
  CH: { status: 'active', done: 'OK', refused: 'UA' },
  SC: { status: 'active', done: 'OK', refused: 'UA' },
  SN: { status: 'active', done: 'NA', refused: 'UA' },
  XO: { status: 'active', done: 'XR', refused: 'UX' },
  RP: { status: 'active', done: 'RQ', refused: 'UM' },
  RL: { status: 'active', done: 'OR', refused: 'UR' },
  CA: { status: 'revoked', done: 'CR', refused: 'UC' },
  OC: { status: 'revoked', done: 'CR', refused: 'UC' },
  DC: { status: 'revoked', done: 'DR', refused: 'UD' },
  OD: { status: 'revoked', done: 'DR', refused: 'UD' },
  HD: { status: 'on-hold', done: 'HR', refused: 'UH' },
  OH: { status: 'on-hold', done: 'HR', refused: 'UH' },
};

/** True for an ORC-1 a placer sends to ask for something. */
export function requestedControl(control: string): boolean {
  return control in CONTROLS;
}

/** The ServiceRequest status: ORC-5 CM (completed) / CA / DC (cancelled) first, else ORC-1's. */
export function orderStatus(control: string, orderStatusText: string): fhir4.ServiceRequest['status'] {
  if (orderStatusText === 'CM') return 'completed';
  if (orderStatusText === 'CA' || orderStatusText === 'DC') return 'revoked';
  return CONTROLS[control]?.status ?? 'active';
}

/** The response's ORC-1 for a request `control` that was `done` (recorded) or not. */
export function responseControl(control: string, done: boolean): string {
  const c = CONTROLS[control] ?? CONTROLS['NW']!;
  return done ? c.done : c.refused;
}
