/**
 * WS/T 500 part 7 (检验报告, C0007) → the FHIR the hub records for every lab report: a
 * DiagnosticReport (identifier the 检验报告单号 in the same system as an ORU's accession, category
 * LAB, code the panel, effective, issued, interpreter, conclusion 检验报告结果 DE04.50.130.00) with
 * one Observation per test item of the 实验室检查章节 (section LOINC 30954-2), and a Specimen per
 * specimen type (标本类别 DE04.50.134.00, collected / received times).
 *
 * A test item is either an observation coded with the test itself (LOINC or local code, value
 * PQ / REAL / ST / CD …, interpretationCode, referenceRange: the CDA R2 result observation) or,
 * in the data-element form of WS/T 500, an observation coded 检验项目代码 DE04.30.019.00 whose
 * value names the test, followed (nested in entryRelationship, or as the next entries) by
 * 检验定量结果 DE04.30.015.00, its unit DE04.30.016.00 and 检验结果代码 DE04.30.017.00.
 */
import type { fhir4 } from '@yilian/contracts';
import {
  BODY,
  dataElementOf,
  interpretationsOf,
  observationValue,
  practitioner,
  referenceRangesOf,
  relatedObservations,
  sectionsOf,
  statementsOf,
  statusOf,
  valueText,
  type ObservationValue,
} from './cda-body';
import { codeableConcept, LOINC, parseTs, type CdaTime } from './cda-datatypes';
import { type CdaFault, missing } from './cda-fault';
import type { CdaHeader } from './cda-header';
import { DE, LAB_SECTION_LOINC } from './cda-oids';
import { attr, child, type XmlElement } from './xml-tree';

export interface CdaLabReport {
  readonly kind: 'lab';
  readonly accession: string;
  readonly report: fhir4.DiagnosticReport;
  readonly observations: fhir4.Observation[];
  readonly specimens: fhir4.Specimen[];
}

export interface CdaMappingContext {
  /** The sender's institution code (from its credential). */
  readonly institution: string;
  /** When the hub received the document: `issued` when the document gives no time of its own. */
  readonly receivedAt: string;
}

const V2_0074 = 'http://terminology.hl7.org/CodeSystem/v2-0074';
const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';
const CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';

interface Item {
  readonly statement: XmlElement;
  /** The observation that holds the value (the statement itself, or its DE04.30.015.00). */
  result?: XmlElement;
  resultCode?: XmlElement;
  unit?: string;
  specimen?: XmlElement;
  readonly dataElementForm: boolean;
}

function effectiveOf(obs: XmlElement | undefined): { time?: CdaTime; low?: CdaTime; high?: CdaTime } {
  const el = child(obs, 'effectiveTime');
  const low = parseTs(attr(child(el, 'low'), 'value'));
  const high = parseTs(attr(child(el, 'high'), 'value'));
  const time = parseTs(attr(el, 'value')) ?? low;
  return { ...(time ? { time } : {}), ...(low ? { low } : {}), ...(high ? { high } : {}) };
}

/** Items of the lab section, in document order. */
function itemsOf(
  section: XmlElement,
  faults: CdaFault[],
): { items: Item[]; panel?: XmlElement; category?: string } {
  const items: Item[] = [];
  let panel: XmlElement | undefined;
  let category: string | undefined;
  const attach = (item: Item, obs: XmlElement) => {
    const de = dataElementOf(obs);
    if (de === DE.quantitative) item.result = obs;
    else if (de === DE.resultCode) item.resultCode = obs;
    else if (de === DE.unit) item.unit = valueText(obs) || undefined;
    else if (de === DE.specimenType) item.specimen = obs;
    else return false;
    for (const r of relatedObservations(obs)) attach(item, r);
    return true;
  };
  for (const s of statementsOf(section)) {
    const de = dataElementOf(s);
    if (s.name === 'organizer') {
      if (!de && attr(child(s, 'code'), 'code')) panel = s;
      continue;
    }
    if (de === DE.category) {
      category = valueText(s) || attr(child(s, 'value'), 'displayName') || category;
      continue;
    }
    if (de === DE.item || !de) {
      const item: Item = { statement: s, dataElementForm: de === DE.item, ...(de ? {} : { result: s }) };
      for (const r of relatedObservations(s)) attach(item, r);
      items.push(item);
      continue;
    }
    const current = items.at(-1);
    if ([DE.quantitative, DE.resultCode, DE.unit, DE.specimenType].includes(de as never)) {
      if (current?.dataElementForm) attach(current, s);
      else
        faults.push({ xpath: s.path, code: 'structure', message: `${de} before any 检验项目 (${DE.item})` });
    }
    // other data elements (检验方法 DE02.10.027.00, 标本状态 …) are not results
  }
  return { items, ...(panel ? { panel } : {}), ...(category ? { category } : {}) };
}

function specimenOf(el: XmlElement, id: string): fhir4.Specimen {
  const type = valueText(el) || attr(child(el, 'value'), 'displayName');
  const { low, high } = effectiveOf(el);
  return {
    resourceType: 'Specimen',
    id,
    ...(type ? { type: { text: type } } : {}),
    ...(high?.instant ? { receivedTime: high.instant } : {}),
    ...(low ? { collection: { collectedDateTime: low.dateTime } } : {}),
  };
}

export function mapLabReport(
  doc: XmlElement,
  header: CdaHeader,
  ctx: CdaMappingContext,
  faults: CdaFault[],
): CdaLabReport | undefined {
  const sections = sectionsOf(doc);
  const section = sections.find((s) => attr(child(s, 'code'), 'code') === LAB_SECTION_LOINC);
  if (!section) {
    faults.push(
      missing(`${BODY}/component/section[code/@code='${LAB_SECTION_LOINC}']`, 'missing (实验室检查章节)'),
    );
    return undefined;
  }
  const { items, panel, category } = itemsOf(section, faults);
  if (items.length === 0) {
    faults.push(missing(`${section.path}/entry`, 'missing: the section has no test item (检验项目)'));
    return undefined;
  }
  const reportStatus: fhir4.DiagnosticReport['status'] = header.replaces ? 'corrected' : 'final';
  const specimens: fhir4.Specimen[] = [];
  const specimenIds = new Map<string, string>();
  const observations: fhir4.Observation[] = [];
  items.forEach((item, i) => {
    const s = item.statement;
    const code = item.dataElementForm
      ? (codeableConcept(child(s, 'value'), ctx.institution) ??
        (valueText(s) ? { text: valueText(s) } : undefined))
      : codeableConcept(child(s, 'code'), ctx.institution);
    if (!code)
      faults.push(
        missing(item.dataElementForm ? `${s.path}/value` : `${s.path}/code/@code`, 'missing (the test)'),
      );
    const holder = item.result;
    let value: ObservationValue | undefined = holder
      ? observationValue(holder, ctx.institution, faults, item.unit)
      : undefined;
    if (!value && item.resultCode) value = observationValue(item.resultCode, ctx.institution, faults);
    if (!value) {
      const where = item.dataElementForm
        ? `${s.path}/entryRelationship/observation[code/@code='${DE.quantitative}']`
        : `${s.path}/value`;
      if (!faults.some((f) => f.xpath.startsWith(s.path)))
        faults.push(missing(where, 'missing (the result)'));
      return;
    }
    const interpretation = [
      ...(holder ? interpretationsOf(holder, ctx.institution) : []),
      ...(holder !== s ? interpretationsOf(s, ctx.institution) : []),
    ];
    if (interpretation.length === 0 && item.resultCode && holder && holder !== item.resultCode) {
      const coded = codeableConcept(child(item.resultCode, 'value'), ctx.institution);
      if (coded) interpretation.push(coded);
    }
    const unit = value.valueQuantity?.unit ?? item.unit;
    const ranges = [
      ...(holder ? referenceRangesOf(holder, unit, faults) : []),
      ...(holder !== s ? referenceRangesOf(s, unit, faults) : []),
    ];
    const effective = effectiveOf(holder).time ?? effectiveOf(s).time;
    const observation: fhir4.Observation = {
      resourceType: 'Observation',
      id: `o${i + 1}`,
      status: statusOf(s) ?? (reportStatus === 'corrected' ? 'corrected' : 'final'),
      category: [{ coding: [{ system: CATEGORY, code: 'laboratory', display: 'Laboratory' }] }],
      code: code ?? {},
      ...(effective ? { effectiveDateTime: effective.dateTime } : {}),
      ...value,
      ...(interpretation.length > 0 ? { interpretation } : {}),
      ...(ranges.length > 0 ? { referenceRange: ranges } : {}),
    };
    if (item.specimen) {
      const key = `${valueText(item.specimen)}|${attr(child(child(item.specimen, 'effectiveTime'), 'low'), 'value') ?? ''}`;
      let id = specimenIds.get(key);
      if (!id) {
        id = `s${specimenIds.size + 1}`;
        specimenIds.set(key, id);
        specimens.push(specimenOf(item.specimen, id));
      }
      observation.specimen = { reference: `Specimen/${id}` };
    }
    observations.push(observation);
  });
  const conclusion = sections
    .flatMap((sec) => statementsOf(sec))
    .filter((o) => dataElementOf(o) === DE.labConclusion)
    .map((o) => valueText(o))
    .filter(Boolean)
    .join('\n');
  const panelCode = panel ? codeableConcept(child(panel, 'code'), ctx.institution) : undefined;
  const collected = specimens[0]?.collection?.collectedDateTime;
  const effective = collected ?? observations.find((o) => o.effectiveDateTime)?.effectiveDateTime;
  const issued =
    header.authorTime?.instant ??
    header.legalAuthenticator?.time?.instant ??
    header.effectiveTime.instant ??
    ctx.receivedAt;
  const interpreter = practitioner(header.legalAuthenticator ?? header.author, ctx.institution);
  const report: fhir4.DiagnosticReport = {
    resourceType: 'DiagnosticReport',
    id: 'report',
    identifier: [
      {
        use: 'usual',
        type: { coding: [{ system: V2_0203, code: 'FILL', display: 'Filler Identifier' }] },
        system: `urn:yilian:institution:${ctx.institution}:accession`,
        value: header.reportNumber,
      },
    ],
    status: reportStatus,
    category: [{ coding: [{ system: V2_0074, code: 'LAB', display: 'Laboratory' }] }],
    code: panelCode ?? {
      coding: [{ system: LOINC, code: '11502-2', display: 'Laboratory report' }],
      text: category ?? header.title,
    },
    ...(effective ? { effectiveDateTime: effective } : {}),
    issued,
    ...(interpreter ? { resultsInterpreter: [interpreter] } : {}),
    ...(specimens.length > 0 ? { specimen: specimens.map((s) => ({ reference: `Specimen/${s.id}` })) } : {}),
    result: observations.map((o) => ({ reference: `Observation/${o.id}` })),
    ...(conclusion ? { conclusion } : {}),
  };
  return { kind: 'lab', accession: header.reportNumber, report, observations, specimens };
}
