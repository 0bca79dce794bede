import { IntakeMetrics, messageTypeLabel } from './intake-metrics';

describe('messageTypeLabel', () => {
  it('names a type the intake takes as code^trigger, whatever the separators and case', () => {
    expect(messageTypeLabel('MSH|^~\\&|LIS|H001|||20261123||ORU^R01^ORU_R01|1|P|2.5.1')).toBe('ORU^R01');
    expect(messageTypeLabel('MSH#$~\\&#HIS#H001###20261123##adt$a08#1#P#2.4')).toBe('ADT^A08');
    expect(messageTypeLabel('MSH|^~\\&|RIS||||x||MDM^T02|1|P|2.5\rPID|1')).toBe('MDM^T02');
  });

  it('counts anything else as other, so a sender cannot add labels', () => {
    expect(messageTypeLabel('MSH|^~\\&|X||||x||ZZZ^Q99^SECRET|1|P|2.5')).toBe('other');
    expect(messageTypeLabel('MSH|^~\\&|X||||x||ORU|1|P|2.5')).toBe('other');
    expect(messageTypeLabel('hello')).toBe('other');
    expect(messageTypeLabel('')).toBe('other');
  });
});

describe('IntakeMetrics', () => {
  it('counts a message by its first ACK code, and one that asked for none as none', async () => {
    const m = new IntakeMetrics();
    const msg = 'MSH|^~\\&|LIS|H001|||20261123||ORU^R01|1|P|2.5.1';
    m.hl7Answered('H001', msg, ['MSH|^~\\&|x\rMSA|CA|1\r', 'MSH|^~\\&|x\rMSA|AA|1\r'], 0.004);
    m.hl7Answered('H001', msg, [], 0.001);
    const text = await m.registry.metrics();
    expect(text).toContain(
      'yilian_intake_hl7_messages_total{institution="H001",type="ORU^R01",ack="CA"} 1\n',
    );
    expect(text).toContain(
      'yilian_intake_hl7_messages_total{institution="H001",type="ORU^R01",ack="none"} 1\n',
    );
    expect(text).toContain('yilian_intake_hl7_ack_seconds_count{institution="H001"} 1\n');
    expect(text).not.toContain('yilian_intake_process_');
  });
});
