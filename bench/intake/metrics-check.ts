/**
 * The intake's own account of the run, from its metrics (`yilian_intake_*`), beside the load
 * generator's: the AA it counted, and the share of its ACKs ready within 25 and 50 ms (its
 * histogram, measured inside the intake: no network, no client).
 */
export function metricsCheck(text: string, acceptedByLoad: number): string {
  const lines = text.split('\n');
  const sum = (match: (series: string) => boolean) =>
    lines
      .filter((l) => !l.startsWith('#') && match(l.slice(0, l.lastIndexOf(' '))))
      .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  const aa = sum((s) => s.startsWith('yilian_intake_hl7_messages_total{') && s.includes('ack="AA"'));
  const count = sum((s) => s.startsWith('yilian_intake_hl7_ack_seconds_count'));
  const within = (le: string) =>
    sum((s) => s.startsWith('yilian_intake_hl7_ack_seconds_bucket') && s.includes(`le="${le}"`));
  const share = (le: string) => (count > 0 ? `${((100 * within(le)) / count).toFixed(1)} %` : 'n/a');
  const agrees = aa === acceptedByLoad ? 'the same' : `MISMATCH with ${acceptedByLoad}`;
  return (
    `intake metrics (yilian_intake_*): ${aa.toLocaleString('en-US')} AA counted (load generator: ${agrees}); ` +
    `ACK ready within 25 ms: ${share('0.025')}, within 50 ms: ${share('0.05')} of ${count.toLocaleString('en-US')}`
  );
}
