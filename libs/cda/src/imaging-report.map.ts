/**
 * WS/T 500 part 6 (检查报告, C0006) → the imaging report the hub records for an MDM^T02 or a RIS
 * ORU: a DiagnosticReport (code LOINC 18748-4 with the examination's name, category RAD and the
 * DICOM modality of 检查类别 DE04.30.018.00, effective 检查日期, issued the author's time,
 * resultsInterpreter the reporting and the reviewing physician, identifier the document number in
 * the same system as an MDM's TXA-12). The report text is kept as the imaging path keeps it:
 * `conclusion` is the 主观提示 (DE04.50.132.00, impression) as written — never made up —, and
 * `presentedForm` the whole text, each part under its label (客观所见 DE04.50.131.00 findings,
 * 主观提示, 备注 DE06.00.179.00).
 */
import type { fhir4 } from '@yilian/contracts';
import { BODY, dataElementOf, practitioner, sectionsOf, statementsOf, valueText } from './cda-body';
import { codeableConcept, LOINC, parseTs } from './cda-datatypes';
import { type CdaFault, missing } from './cda-fault';
import type { CdaHeader } from './cda-header';
import type { CdaMappingContext } from './lab-report.map';
import { DE } from './cda-oids';
import { attr, child, type XmlElement } from './xml-tree';

export interface CdaImagingReport {
  readonly kind: 'examination';
  readonly accession: string;
  readonly modality?: string;
  readonly report: Omit<fhir4.DiagnosticReport, 'subject' | 'id'>;
}

const V2_0074 = 'http://terminology.hl7.org/CodeSystem/v2-0074';
const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const MODALITIES: Readonly<Record<string, string>> = {
  CT: 'Computed Tomography',
  MR: 'Magnetic Resonance',
  US: 'Ultrasound',
  DX: 'Digital Radiography',
  CR: 'Computed Radiography',
  MG: 'Mammography',
  NM: 'Nuclear Medicine',
  PT: 'Positron emission tomography (PET)',
  XA: 'X-Ray Angiography',
  RF: 'Radio Fluoroscopy',
  ES: 'Endoscopy',
  ECG: 'Electrocardiography',
};
/** How 检查类别 / 检查方法 are written in the field → DICOM modality. */
const WORDS: readonly [RegExp, string][] = [
  [/^(CT|计算机断层|.*CT)/i, 'CT'],
  [/(MRI?|磁共振|核磁)/i, 'MR'],
  [/(^US$|超声|彩超|B超)/i, 'US'],
  [/(^DR$|^DX$|数字化?X线|X线|X光|平片)/i, 'DX'],
  [/^CR$/i, 'CR'],
  [/(^MG$|钼靶|乳腺X)/i, 'MG'],
  [/(^PET|正电子)/i, 'PT'],
  [/(^NM$|核医学|ECT)/i, 'NM'],
  [/(^XA$|DSA|血管造影)/i, 'XA'],
  [/(内镜|胃镜|肠镜)/i, 'ES'],
  [/(心电|^ECG$)/i, 'ECG'],
];

export function modalityOf(text: string | undefined): string | undefined {
  const t = text?.trim();
  if (!t) return undefined;
  if (MODALITIES[t.toUpperCase()]) return t.toUpperCase();
  return WORDS.find(([re]) => re.test(t))?.[1];
}

const LABELS: Readonly<Record<string, string>> = {
  [DE.findings]: '检查所见',
  [DE.impression]: '检查提示',
  [DE.remarks]: '备注',
};

export function mapImagingReport(
  doc: XmlElement,
  header: CdaHeader,
  ctx: CdaMappingContext,
  faults: CdaFault[],
): CdaImagingReport | undefined {
  const statements = sectionsOf(doc).flatMap((s) => statementsOf(s));
  const byElement = (de: string) => statements.filter((o) => dataElementOf(o) === de);
  const parts: string[] = [];
  const impressions: string[] = [];
  for (const o of statements) {
    const de = dataElementOf(o);
    if (de !== DE.findings && de !== DE.impression && de !== DE.remarks) continue;
    const text = valueText(o);
    if (!text) continue;
    parts.push(`${LABELS[de]}：\n${text}`);
    if (de === DE.impression) impressions.push(text);
  }
  if (!parts.some((p) => !p.startsWith(LABELS[DE.remarks]!))) {
    faults.push(
      missing(
        `${BODY}/component/section/entry/observation[code/@code='${DE.findings}' or code/@code='${DE.impression}']/value`,
        'missing (检查报告结果: 客观所见 or 主观提示)',
      ),
    );
    return undefined;
  }
  const item = byElement(DE.item)[0];
  const itemConcept = item ? codeableConcept(child(item, 'value'), ctx.institution) : undefined;
  const itemName = itemConcept?.text ?? itemConcept?.coding?.[0]?.display ?? (item ? valueText(item) : '');
  const categoryText = byElement(DE.category).map(
    (o) => valueText(o) || attr(child(o, 'value'), 'displayName'),
  )[0];
  const methodText = byElement(DE.method).map((o) => valueText(o))[0];
  const modality = modalityOf(categoryText) ?? modalityOf(methodText) ?? modalityOf(itemName);
  const effective = parseTs(attr(child(item, 'effectiveTime'), 'value'));
  const issued =
    header.authorTime?.instant ??
    header.legalAuthenticator?.time?.instant ??
    header.effectiveTime.instant ??
    ctx.receivedAt;
  const interpreters = [
    practitioner(header.author, ctx.institution),
    practitioner(header.legalAuthenticator, ctx.institution),
  ]
    .filter((p): p is fhir4.Reference => !!p)
    .filter((p, i, all) => i === 0 || p.display !== all[0]!.display);
  const whole = parts.join('\n\n');
  const category: fhir4.CodeableConcept[] = [
    { coding: [{ system: V2_0074, code: 'RAD', display: 'Radiology' }] },
  ];
  if (modality) category.push({ coding: [{ system: DCM, code: modality, display: MODALITIES[modality]! }] });
  const documentNumber = header.documentId.extension;
  return {
    kind: 'examination',
    accession: header.reportNumber,
    ...(modality ? { modality } : {}),
    report: {
      resourceType: 'DiagnosticReport',
      ...(documentNumber
        ? {
            identifier: [
              { system: `urn:yilian:institution:${ctx.institution}:document`, value: documentNumber },
            ],
          }
        : {}),
      status: header.replaces ? 'corrected' : 'final',
      category,
      code: {
        coding: [{ system: LOINC, code: '18748-4', display: 'Diagnostic imaging study' }],
        text: itemName || header.title,
      },
      ...(effective ? { effectiveDateTime: effective.dateTime } : {}),
      issued,
      ...(interpreters.length > 0 ? { resultsInterpreter: interpreters } : {}),
      ...(impressions.length > 0 ? { conclusion: impressions.join('\n') } : {}),
      presentedForm: [
        {
          contentType: 'text/plain; charset=utf-8',
          data: Buffer.from(whole, 'utf8').toString('base64'),
          title: header.title,
        },
      ],
    },
  };
}
