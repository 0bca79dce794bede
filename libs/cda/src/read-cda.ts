/**
 * One WS/T 500 CDA document → what the hub records: `readCdaDocument(xml, ctx)` parses the XML
 * (fast-xml-parser; no DOCTYPE, no entity expansion), checks the header and body against the
 * document's template (part 6 examination report, part 7 lab report) and maps it. Pure, never
 * throws: faults come back with the XPath of each.
 */
import { type CdaFault } from './cda-fault';
import { type CdaHeader, readHeader } from './cda-header';
import { type CdaImagingReport, mapImagingReport } from './imaging-report.map';
import { type CdaLabReport, type CdaMappingContext, mapLabReport } from './lab-report.map';
import { HL7_V3, parseXml } from './xml-tree';

export type CdaDocument = (CdaLabReport | CdaImagingReport) & {
  readonly header: CdaHeader;
  /** The document id as one string: `root^extension` (or the root alone). */
  readonly documentKey: string;
};

export type CdaRead =
  | { readonly ok: true; readonly document: CdaDocument }
  /** Not XML (or a DOCTYPE): nothing to check against a template. */
  | { readonly ok: false; readonly kind: 'not-xml'; readonly message: string }
  | { readonly ok: false; readonly kind: 'template'; readonly faults: readonly CdaFault[] };

export function readCdaDocument(xml: string, ctx: CdaMappingContext): CdaRead {
  const parsed = parseXml(xml);
  if (!parsed.ok) return { ok: false, kind: 'not-xml', message: parsed.message };
  const doc = parsed.root;
  if (doc.name !== 'ClinicalDocument' || doc.ns !== HL7_V3) {
    const faults: CdaFault[] = [
      {
        xpath: '/ClinicalDocument',
        code: 'structure',
        message: `missing: the root element is ${doc.name}${doc.ns ? ` in ${doc.ns}` : ''}, not a CDA ClinicalDocument in ${HL7_V3}`,
      },
    ];
    return { ok: false, kind: 'template', faults };
  }
  const faults: CdaFault[] = [];
  const header = readHeader(doc, faults);
  if (!header) return { ok: false, kind: 'template', faults };
  const mapped =
    header.kind === 'lab'
      ? mapLabReport(doc, header, ctx, faults)
      : mapImagingReport(doc, header, ctx, faults);
  if (!mapped || faults.length > 0) return { ok: false, kind: 'template', faults };
  const { root, extension } = header.documentId;
  return {
    ok: true,
    document: { ...mapped, header, documentKey: extension ? `${root}^${extension}` : root },
  };
}
