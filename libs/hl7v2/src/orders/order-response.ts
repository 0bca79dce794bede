/**
 * The application response to an order, per the standard's structure (v2.5.1 – 2.9):
 *
 * - ORR^O02 (to ORM^O01): MSH MSA [ERR] [NTE] [RESPONSE: [PID] { ORC [OBR] } ]
 * - ORL^O22 (to OML^O21): MSH MSA [ERR] [NTE] [RESPONSE: PID { ORC [TQ1] [OBR [SPM]] } ]
 * - ORG^O20 (to OMG^O19): MSH MSA [ERR] [NTE] [RESPONSE: [PID] { ORC [TQ1] [OBR] } ]
 * - ORI^O24 (to OMI^O23): MSH MSA [ERR] [NTE] [RESPONSE: [PID] { ORC [TQ1] OBR {IPC} } ]
 *
 * MSH, MSA and ERR are `buildAck`'s (with the response type in MSH-9). The RESPONSE group
 * echoes the original's PID and each order's ORC (ORC-1 the answer: OK / CR / XR … when
 * recorded, UA / UC / UX … when not; table 0119), TQ1, OBR and SPM / IPC as sent. Header NTE
 * carry the hub's notes for the placer, e.g. a duplicate-test flag:
 * `NTE|1|L|<text>|DR^Duplicate/Interaction Reason^HL70364` (NTE-2 source L = the filler's side,
 * here the hub; NTE-4 table 0364).
 */
import type { Hl7Message, Hl7Segment } from '@medplum/core';
import { escapeHl7 } from '../hl7-escape';
import { textComponent } from '../hl7-fields';
import type { ImagingOrderGroup } from '../imaging/imaging-groups';
import { responseControl } from './order-control';

export interface OrderNote {
  readonly text: string;
  /** NTE-4 (table 0364); DR duplicate/interaction reason by default. */
  readonly type?: readonly [code: string, display: string];
}

/** The ORC with ORC-1 replaced by `control`, as text. */
function answeredOrc(orc: Hl7Segment, control: string): string {
  const fs = orc.context.fieldSeparator;
  const fields = orc.toString().split(fs);
  fields[1] = control;
  return fields.join(fs);
}

/** Appends the header NTE and the RESPONSE group to an application ACK (`buildAck` text with
 * the response type). `recorded`: whether the orders were recorded (AA) or not (AE / AR). */
export function withOrderResponse(
  ack: string,
  original: Hl7Message,
  groups: readonly ImagingOrderGroup[],
  recorded: boolean,
  notes: readonly OrderNote[] = [],
): string {
  const ctx = original.context;
  const fs = ctx.fieldSeparator;
  const cs = ctx.componentSeparator;
  const lines = ack.split('\r').filter((l) => l.length > 0);
  notes.forEach((note, i) => {
    const [code, display] = note.type ?? ['DR', 'Duplicate/Interaction Reason'];
    lines.push(
      ['NTE', String(i + 1), 'L', escapeHl7(note.text, ctx), `${code}${cs}${display}${cs}HL70364`].join(fs),
    );
  });
  const pid = original.segments.find((s) => s.name === 'PID');
  if (pid) lines.push(pid.toString());
  for (const group of groups) {
    if (group.orc) {
      const control = textComponent(group.orc.segment, 1, 1).toUpperCase() || 'NW';
      lines.push(answeredOrc(group.orc.segment, responseControl(control, recorded)));
    } else {
      lines.push(['ORC', responseControl('NW', recorded)].join(fs));
    }
    if (group.tq1) lines.push(group.tq1.segment.toString());
    if (group.obr) lines.push(group.obr.segment.toString());
    for (const ipc of group.ipcs) lines.push(ipc.segment.toString());
  }
  return lines.join('\r') + '\r';
}
