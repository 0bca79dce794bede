/**
 * The CDA header a WS/T 500 part 6 / part 7 document must carry, checked as it is read: typeId,
 * templateId and document type code, document id, effectiveTime, recordTarget/patientRole with
 * the resident ID number (patient/id, 2.16.156.10011.1.3; patientRole/id accepted too) and / or an
 * MRN (门(急)诊号 .1.11, 住院号 .1.12), the report number (检验报告单号 .1.33 / 检查报告单号 .1.32),
 * author with its time, custodian organization (医疗卫生机构编号 .1.5). Every fault names its XPath.
 */
import { isValidResidentId } from '@yilian/patients';
import { type CdaTime, parseTs } from './cda-datatypes';
import { type CdaFault, missing } from './cda-fault';
import { CDA_TYPE_ID, type CdaTemplateKind, DOCUMENT_TYPE_SYSTEM, ID_ROOTS, TEMPLATES } from './cda-oids';
import { at, attr, child, childrenNamed, textOf, type XmlElement } from './xml-tree';

export interface CdaPatient {
  readonly residentId?: string;
  /** 门(急)诊号, else 住院号: the institution's number for the patient. */
  readonly mrn?: string;
}

export interface CdaPerson {
  readonly name?: string;
  /** 医务人员编号 (2.16.156.10011.1.4) or the author id's extension. */
  readonly id?: string;
}

export interface CdaHeader {
  readonly kind: CdaTemplateKind;
  readonly title: string;
  readonly documentId: { readonly root: string; readonly extension?: string };
  readonly effectiveTime: CdaTime;
  readonly patient: CdaPatient;
  /** 检验报告单号 / 检查报告单号: the accession, unique within the institution. */
  readonly reportNumber: string;
  readonly requestNumber?: string;
  readonly specimenNumber?: string;
  /** 医疗卫生机构编号 of the custodian organization, and where it is. */
  readonly custodian: { readonly id: string; readonly xpath: string; readonly name?: string };
  /** The author's organization id, when the document names one. */
  readonly authorOrganization?: { readonly id: string; readonly xpath: string };
  readonly authorTime?: CdaTime;
  readonly author?: CdaPerson;
  readonly legalAuthenticator?: CdaPerson & { readonly time?: CdaTime };
  /** relatedDocument[@typeCode='RPLC']/parentDocument/id: the document this one replaces. */
  readonly replaces?: { readonly root: string; readonly extension?: string };
}

const DOC = '/ClinicalDocument';
const idPath = (parent: string, root: string) => `${parent}/id[@root='${root}']`;

function idWithRoot(el: XmlElement | undefined, root: string): XmlElement | undefined {
  return childrenNamed(el, 'id').find((i) => attr(i, 'root') === root);
}

function personOf(entity: XmlElement | undefined): CdaPerson | undefined {
  if (!entity) return undefined;
  const name = textOf(at(entity, 'assignedPerson', 'name')) || undefined;
  const id = childrenNamed(entity, 'id')
    .map((i) => attr(i, 'extension'))
    .find((x) => !!x);
  return name || id ? { ...(name ? { name } : {}), ...(id ? { id } : {}) } : undefined;
}

function templateOf(doc: XmlElement, faults: CdaFault[]): CdaTemplateKind | undefined {
  const roots = childrenNamed(doc, 'templateId').map((t) => attr(t, 'root'));
  const kind = (Object.keys(TEMPLATES) as CdaTemplateKind[]).find((k) =>
    roots.includes(TEMPLATES[k].templateId),
  );
  const code = child(doc, 'code');
  const typeCode = attr(code, 'code');
  if (!kind) {
    const byCode = (Object.keys(TEMPLATES) as CdaTemplateKind[]).find((k) => TEMPLATES[k].code === typeCode);
    const expected = byCode
      ? `[@root='${TEMPLATES[byCode].templateId}']`
      : `[@root='${TEMPLATES.examination.templateId}' or @root='${TEMPLATES.lab.templateId}']`;
    faults.push(
      missing(
        `${DOC}/templateId${expected}`,
        'missing: the hub takes WS/T 500 part 6 (检查报告, C0006) and part 7 (检验报告, C0007) documents',
      ),
    );
    return undefined;
  }
  const t = TEMPLATES[kind];
  if (!code || !typeCode)
    faults.push(missing(`${DOC}/code/@code`, `missing (${t.code} for template ${t.templateId})`));
  else if (
    typeCode !== t.code ||
    (attr(code, 'codeSystem') ?? DOCUMENT_TYPE_SYSTEM) !== DOCUMENT_TYPE_SYSTEM
  ) {
    faults.push({
      xpath: `${DOC}/code/@code`,
      code: 'code-invalid',
      message: `${typeCode.slice(0, 16)} does not match template ${t.templateId}: expected ${t.code} in ${DOCUMENT_TYPE_SYSTEM}`,
    });
  }
  return kind;
}

/** Reads and checks the header; undefined when a fault leaves nothing to map. */
export function readHeader(doc: XmlElement, faults: CdaFault[]): CdaHeader | undefined {
  const before = faults.length;
  const typeId = child(doc, 'typeId');
  if (attr(typeId, 'root') !== CDA_TYPE_ID.root || attr(typeId, 'extension') !== CDA_TYPE_ID.extension) {
    faults.push(
      missing(
        `${DOC}/typeId[@root='${CDA_TYPE_ID.root}' and @extension='${CDA_TYPE_ID.extension}']`,
        'missing: not a CDA R2 document',
      ),
    );
  }
  const kind = templateOf(doc, faults);
  const id = child(doc, 'id');
  const idRoot = attr(id, 'root');
  if (!idRoot) faults.push(missing(`${DOC}/id/@root`, 'missing (the document id, 文档流水号)'));
  const effectiveText = attr(child(doc, 'effectiveTime'), 'value');
  const effectiveTime = parseTs(effectiveText);
  if (!effectiveText) faults.push(missing(`${DOC}/effectiveTime/@value`));
  else if (!effectiveTime)
    faults.push({
      xpath: `${DOC}/effectiveTime/@value`,
      code: 'value',
      message: 'not a CDA TS (yyyyMMddHHmmss[+zzzz])',
    });

  const roleAt = `${DOC}/recordTarget/patientRole`;
  const role = at(doc, 'recordTarget', 'patientRole');
  const patient: { residentId?: string; mrn?: string } = {};
  let reportNumber: string | undefined;
  if (!role) faults.push(missing(roleAt));
  else {
    const patientEl = child(role, 'patient');
    const resident = idWithRoot(patientEl, ID_ROOTS.residentId) ?? idWithRoot(role, ID_ROOTS.residentId);
    const residentAt = idWithRoot(patientEl, ID_ROOTS.residentId)
      ? idPath(`${roleAt}/patient`, ID_ROOTS.residentId)
      : idPath(roleAt, ID_ROOTS.residentId);
    const residentId = attr(resident, 'extension');
    if (residentId) {
      if (isValidResidentId(residentId)) patient.residentId = residentId.toUpperCase();
      else
        faults.push({
          xpath: `${residentAt}/@extension`,
          code: 'value',
          message: 'not a valid resident ID number (GB 11643: 18 characters, check character)',
        });
    }
    const mrn = [ID_ROOTS.outpatientNumber, ID_ROOTS.inpatientNumber]
      .map((r) => attr(idWithRoot(role, r), 'extension'))
      .find((x) => !!x);
    if (mrn) patient.mrn = mrn;
    if (!residentId && !mrn) {
      faults.push(
        missing(
          idPath(`${roleAt}/patient`, ID_ROOTS.residentId),
          `missing, and no MRN either (patientRole/id[@root='${ID_ROOTS.outpatientNumber}' or @root='${ID_ROOTS.inpatientNumber}'])`,
        ),
      );
    }
    if (kind) {
      const root = kind === 'lab' ? ID_ROOTS.labReportNumber : ID_ROOTS.examinationReportNumber;
      reportNumber = attr(idWithRoot(role, root), 'extension');
      const what = kind === 'lab' ? '检验报告单号' : '检查报告单号';
      if (!reportNumber)
        faults.push(missing(`${idPath(roleAt, root)}/@extension`, `missing (${what}, the accession)`));
    }
  }

  const author = child(doc, 'author');
  const authorTimeText = attr(child(author, 'time'), 'value');
  const authorTime = parseTs(authorTimeText);
  if (!author) faults.push(missing(`${DOC}/author`));
  else if (authorTimeText && !authorTime)
    faults.push({
      xpath: `${DOC}/author/time/@value`,
      code: 'value',
      message: 'not a CDA TS (yyyyMMddHHmmss[+zzzz])',
    });
  const authorOrgEl = at(author, 'assignedAuthor', 'representedOrganization');
  const authorOrgId = childrenNamed(authorOrgEl, 'id').find((i) => attr(i, 'extension'));

  const custodianAt = `${DOC}/custodian/assignedCustodian/representedCustodianOrganization`;
  const custodianOrg = at(doc, 'custodian', 'assignedCustodian', 'representedCustodianOrganization');
  const custodianId = attr(idWithRoot(custodianOrg, ID_ROOTS.organization), 'extension');
  const custodianXpath = `${idPath(custodianAt, ID_ROOTS.organization)}/@extension`;
  if (!custodianId) faults.push(missing(custodianXpath, 'missing (医疗卫生机构编号 of the institution)'));

  const legal = child(doc, 'legalAuthenticator');
  const legalPerson = personOf(child(legal, 'assignedEntity'));
  const legalTime = parseTs(attr(child(legal, 'time'), 'value'));
  const parent = childrenNamed(doc, 'relatedDocument')
    .filter((r) => attr(r, 'typeCode') === 'RPLC')
    .map((r) => at(r, 'parentDocument', 'id'))
    .find((i) => attr(i, 'root'));

  if (faults.length > before || !kind || !idRoot || !effectiveTime || !reportNumber || !custodianId)
    return undefined;
  const extension = attr(id, 'extension');
  const replacesExt = attr(parent, 'extension');
  const custodianName = textOf(child(custodianOrg, 'name')) || undefined;
  const authorPerson = personOf(child(author, 'assignedAuthor'));
  return {
    kind,
    title: textOf(child(doc, 'title')) || TEMPLATES[kind].title,
    documentId: { root: idRoot, ...(extension ? { extension } : {}) },
    effectiveTime,
    patient,
    reportNumber,
    ...optional('requestNumber', role && attr(idWithRoot(role, ID_ROOTS.requestNumber), 'extension')),
    ...optional('specimenNumber', role && attr(idWithRoot(role, ID_ROOTS.specimenNumber), 'extension')),
    custodian: { id: custodianId, xpath: custodianXpath, ...(custodianName ? { name: custodianName } : {}) },
    ...(authorOrgId
      ? {
          authorOrganization: {
            id: attr(authorOrgId, 'extension')!,
            xpath: `${authorOrgId.path}/@extension`,
          },
        }
      : {}),
    ...(authorTime ? { authorTime } : {}),
    ...(authorPerson ? { author: authorPerson } : {}),
    ...(legalPerson || legalTime
      ? { legalAuthenticator: { ...legalPerson, ...(legalTime ? { time: legalTime } : {}) } }
      : {}),
    ...(parent
      ? { replaces: { root: attr(parent, 'root')!, ...(replacesExt ? { extension: replacesExt } : {}) } }
      : {}),
  };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value ? ({ [key]: value } as Record<K, string>) : {};
}
