/** REF^I12 messages as a community centre's HIS sends them (v2.5.1, CR-separated). */
export function refI12(opts: {
  controlId: string;
  sourceId?: string;
  sender?: string;
  receiver?: string;
  residentId?: string;
  mrn?: string;
  priority?: string;
  /** OBR lines after the diagnosis; default: one lab report, by accession. */
  orders?: string[];
  diagnosis?: string;
  accept?: string;
  application?: string;
}): string {
  const sender = opts.sender ?? 'C002';
  const receiver = opts.receiver ?? 'H001';
  const pid3 = [
    ...(opts.mrn ? [`${opts.mrn}^^^HIS^MR`] : []),
    ...(opts.residentId ? [`${opts.residentId}^^^NNCHN^NNCHN`] : []),
  ].join('~');
  return [
    `MSH|^~\\&|HIS|${sender}|YILIAN|HUB|20260302090000+0800||REF^I12^REF_I12|${opts.controlId}|P|2.5.1|||${opts.accept ?? ''}|${opts.application ?? ''}|CHN|UNICODE UTF-8`,
    `RF1|P^待接诊^HL70283|${opts.priority ?? 'U'}^紧急|MED^医疗|AM|O^门诊|${opts.sourceId ?? 'ZZ-2026-0001'}^${sender}|20260302090000+0800`,
    `PRD|RP|李^全科医生||全科门诊^^^${sender}|||${sender}^XX`,
    `PRD|RT|||心内科^^^${receiver}|||${receiver}^XX`,
    `PID|1||${pid3}||王^小明||19491231|M`,
    `DG1|1||${opts.diagnosis ?? 'I20.0^不稳定型心绞痛^ICD10'}||20260302|W`,
    ...(opts.orders ?? [`OBR|1||L-0001^LIS|BIOCHEM^生化全项^L|||20260301080000+0800`]),
  ].join('\r');
}
