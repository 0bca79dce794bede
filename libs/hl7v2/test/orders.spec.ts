import { buildAck, mapOrderMessage, parseHl7, withOrderResponse } from '../src';
import { validateFhirResource } from '@yilian/fhir';
import { fixture, setField, withSegment } from './fixtures';

function parsed(text: string) {
  const p = parseHl7(text);
  if (!p.ok) throw new Error('not HL7');
  return p.message;
}
const where = (e: { segment?: string; sequence?: number; field?: number; code: number }) =>
  `${e.segment}^${e.sequence}^${e.field ?? ''} ${e.code}`;

describe('orders: ORM^O01 / OML^O21 / OMG^O19 → ServiceRequest', () => {
  it('maps an OML^O21 order group: placer and status, code, priority, requester, reason', () => {
    const result = mapOrderMessage(parsed(fixture('orders/cn-his-oml-o21-cbc-v251.hl7')), {
      institution: 'H001',
      type: 'OML^O21',
    });
    expect(result.ok).toBe(true);
    const [order] = result.ok ? result.orders : [];
    expect(order).toMatchObject({ placerOrderNumber: 'PO-1001', orderControl: 'NW' });
    expect(order!.serviceRequest.identifier?.[0]).toMatchObject({
      system: 'urn:yilian:institution:H001:placer',
      value: 'PO-1001',
    });
  });

  it.each([
    [
      'no placer number',
      (t: string) =>
        withSegment(
          withSegment(t, 'ORC', 1, (l) => setField(l, 2, '')),
          'OBR',
          1,
          (l) => setField(l, 2, ''),
        ),
      'ORC^1^2 101',
    ],
    [
      'ORC-1 not a request',
      (t: string) => withSegment(t, 'ORC', 1, (l) => setField(l, 1, 'ZZ')),
      'ORC^1^1 103',
    ],
    [
      'a bad ORC-9',
      (t: string) => withSegment(t, 'ORC', 1, (l) => setField(l, 9, 'yesterday')),
      'ORC^1^9 102',
    ],
    ['no PID', (t: string) => withSegment(t, 'PID', 1, () => null), 'PID^1^ 100'],
  ])('%s → %s', (_label, change, expected) => {
    const result = mapOrderMessage(parsed(change(fixture('orders/cn-his-oml-o21-cbc-v251.hl7'))), {
      institution: 'H001',
      type: 'OML^O21',
    });
    expect(result.ok ? [] : result.errors.map(where)).toEqual([expected]);
  });

  it('flags go in header NTE (type DR, table 0364) between MSA / ERR and the RESPONSE group', () => {
    const message = parsed(fixture('orders/cn-his-oml-o21-cbc-v251.hl7'));
    const ack = buildAck(message, 'AA', [], { now: new Date(0), responseType: ['ORL', 'O22', 'ORL_O22'] });
    const groups = mapOrderMessage(message, { institution: 'H001', type: 'OML^O21' });
    const text = withOrderResponse(ack, message, groups.ok ? groups.orders.map((o) => o.group) : [], true, [
      { text: 'PO-1001 可互认结果: DiagnosticReport/H002.L-9 (H002, 2025-11-28)' },
    ]);
    const lines = text.split('\r').filter(Boolean);
    expect(lines.map((l) => l.slice(0, 3))).toEqual(['MSH', 'MSA', 'NTE', 'PID', 'ORC', 'TQ1', 'OBR']);
    expect(lines[2]).toBe(
      'NTE|1|L|PO-1001 可互认结果: DiagnosticReport/H002.L-9 (H002, 2025-11-28)|DR^Duplicate/Interaction Reason^HL70364',
    );
  });
});

describe('orders: one ORC, several OBRs (ORM^O01 ORDER_DETAIL / OML^O21 OBSERVATION_REQUEST under one order)', () => {
  it.each([
    ['orders/intl-oml-o21-one-orc-two-obr-v251.hl7', 'OML^O21', 'ORD723222', ['1320', '1680']],
    ['orders/intl-orm-o01-one-orc-two-obr-v25.hl7', 'ORM^O01', '421832901', ['54089-8', '57717-1']],
  ] as const)(
    '%s: one ServiceRequest per OBR, each under the ORC, the shared number its requisition',
    (name, type, number, codes) => {
      const result = mapOrderMessage(parsed(fixture(name)), { institution: 'H001', type });
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      expect(result.orders.map((o) => o.placerOrderNumber)).toEqual(codes.map((c) => `${number}.${c}`));
      for (const o of result.orders) {
        expect(o.orderControl).toBe('NW');
        expect(o.group.orc?.sequence).toBe(1);
        expect(o.serviceRequest.identifier?.[0]).toMatchObject({
          system: 'urn:yilian:institution:H001:placer',
          value: number,
        });
        expect(o.serviceRequest.requisition).toMatchObject({
          system: 'urn:yilian:institution:H001:placer',
          value: number,
        });
        expect(o.serviceRequest.authoredOn).toBeDefined();
        const issues = validateFhirResource({
          ...o.serviceRequest,
          subject: { reference: 'Patient/pk_x' },
        }).filter((i) => i.severity === 'error');
        expect(issues).toEqual([]);
      }
      expect(new Set(result.orders.map((o) => o.serviceRequest.id)).size).toBe(2);
    },
  );

  it('a cancel of such an order reaches each OBR’s ServiceRequest (ORC-1 CA kept for every OBR)', () => {
    const text = withSegment(fixture('orders/intl-oml-o21-one-orc-two-obr-v251.hl7'), 'ORC', 1, (l) =>
      setField(l, 1, 'CA'),
    );
    const result = mapOrderMessage(parsed(text), { institution: 'H001', type: 'OML^O21' });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.orders.map((o) => [o.orderControl, o.serviceRequest.status])).toEqual([
      ['CA', 'revoked'],
      ['CA', 'revoked'],
    ]);
  });

  it('a change of one of those tests sent alone carries the order as that test (asPanel), for the intake to find it', () => {
    const lines = fixture('orders/intl-oml-o21-one-orc-two-obr-v251.hl7').split('\r');
    const cancel = [lines[0], lines[1], lines[2]!.replace('ORC|NW|', 'ORC|CA|'), lines[4]].join('\r');
    const result = mapOrderMessage(parsed(cancel), { institution: 'H001', type: 'OML^O21' });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const [order] = result.orders;
    expect(order!.placerOrderNumber).toBe('ORD723222');
    expect(order!.asPanel?.placerOrderNumber).toBe('ORD723222.1680');
    expect(order!.asPanel?.serviceRequest.status).toBe('revoked');
    const placed = mapOrderMessage(parsed(fixture('orders/intl-oml-o21-one-orc-two-obr-v251.hl7')), {
      institution: 'H001',
      type: 'OML^O21',
    });
    expect(placed.ok && placed.orders[1]!.serviceRequest.id).toBe(order!.asPanel?.serviceRequest.id);
    expect(placed.ok && placed.orders.map((o) => o.asPanel)).toEqual([undefined, undefined]);
  });

  it('the same OBR-4 twice under one ORC, or one number on two ORCs, is still 205', () => {
    const twice = withSegment(fixture('orders/intl-oml-o21-one-orc-two-obr-v251.hl7'), 'OBR', 2, (l) =>
      setField(l, 4, '1320^HIV Ag/Ab - Serum^L'),
    );
    const a = mapOrderMessage(parsed(twice), { institution: 'H001', type: 'OML^O21' });
    expect(a.ok ? [] : a.errors.map(where)).toEqual(['ORC^1^2 205']);
    const twoOrcs = fixture('orders/intl-oml-o21-one-orc-two-obr-v251.hl7').replace(
      '\rOBR|2|',
      '\rORC|NW|ORD723222^EHR\rOBR|2|',
    );
    const b = mapOrderMessage(parsed(twoOrcs), { institution: 'H001', type: 'OML^O21' });
    expect(b.ok ? [] : b.errors.map(where)).toEqual(['ORC^2^2 205']);
  });
});
