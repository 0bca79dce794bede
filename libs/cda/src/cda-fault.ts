/** What is wrong with a CDA document, and where (an XPath into the document as sent). */
export type CdaFaultCode = 'required' | 'value' | 'code-invalid' | 'structure' | 'not-supported';

export interface CdaFault {
  /** XPath of the element or attribute at fault, e.g.
   * `/ClinicalDocument/recordTarget/patientRole/patient/id[@root='2.16.156.10011.1.3']`. */
  readonly xpath: string;
  readonly code: CdaFaultCode;
  /** What is wrong, without the path: `missing`, `not a CDA TS (yyyyMMddHHmmss)` … */
  readonly message: string;
}

/** `xpath: message`, the way the hub words a fault everywhere (HTTP and HL7 v2 ERR-8). */
export function describeFault(f: CdaFault): string {
  return `${f.xpath}: ${f.message}`;
}

export const missing = (xpath: string, what = 'missing'): CdaFault => ({
  xpath,
  code: 'required',
  message: what,
});
