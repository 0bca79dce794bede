/**
 * CDA XML → a small element tree with namespaces resolved and each element's XPath, on
 * fast-xml-parser (preserveOrder, attributes kept, entities NOT processed: a document's own
 * entity declarations are never expanded, so an entity bomb costs nothing; a DOCTYPE is refused
 * outright — CDA R2 documents have none). Only the five predefined entities and character
 * references are decoded, in text and attribute values.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export const HL7_V3 = 'urn:hl7-org:v3';
export const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

export interface XmlElement {
  /** Local name (no prefix). */
  readonly name: string;
  /** Namespace URI ('' when none). */
  readonly ns: string;
  /** Attributes by local name; `xsi:type` as `xsi:type` (resolved by namespace). */
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  /** Text directly inside the element (decoded, CDATA included), untrimmed. */
  readonly text: string;
  /** XPath of the element: `/ClinicalDocument/component/structuredBody/component[2]/section`. */
  readonly path: string;
}

export type XmlParse =
  | { readonly ok: true; readonly root: XmlElement }
  | { readonly ok: false; readonly reason: 'not-xml' | 'doctype'; readonly message: string };

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  processEntities: false,
  htmlEntities: false,
  removeNSPrefix: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: '#comment',
  cdataPropName: '#cdata',
});

const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const ENTITY = /&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|(amp|lt|gt|quot|apos));/g;

/** Decodes the predefined entities and character references; any other `&name;` stays as is. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (whole, hex?: string, dec?: string, named?: string) => {
    if (named) return PREDEFINED[named]!;
    const code = hex ? parseInt(hex, 16) : Number(dec);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

const DOCTYPE = /<!DOCTYPE/i;

/** More markup than any report needs (a 100-item lab report has ≈ 3,000 elements): refused
 * before parsing, so that a hostile document cannot hold the event loop for seconds. */
export const MAX_XML_TAGS = 20_000;

function tagCount(text: string): number {
  let n = 0;
  for (let i = text.indexOf('<'); i >= 0; i = text.indexOf('<', i + 1)) n++;
  return n;
}

/** Parses the document; never throws. */
export function parseXml(text: string): XmlParse {
  if (DOCTYPE.test(text)) {
    return {
      ok: false,
      reason: 'doctype',
      message: 'the document has a DOCTYPE (DTD or entity declarations); a CDA document has none',
    };
  }
  if (tagCount(text) > MAX_XML_TAGS * 2) {
    return {
      ok: false,
      reason: 'not-xml',
      message: `the document has more than ${MAX_XML_TAGS} elements; a CDA report has far fewer`,
    };
  }
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    return {
      ok: false,
      reason: 'not-xml',
      message: `not well-formed XML at line ${line}, column ${col}: ${msg}`,
    };
  }
  let nodes: OrderedNode[];
  try {
    nodes = parser.parse(text) as OrderedNode[];
  } catch (e) {
    return { ok: false, reason: 'not-xml', message: `not well-formed XML: ${(e as Error).message}` };
  }
  const elements = nodes.filter((n) => elementName(n) !== undefined);
  if (elements.length !== 1) {
    return { ok: false, reason: 'not-xml', message: 'an XML document has exactly one root element' };
  }
  return {
    ok: true,
    root: build(elements[0]!, new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]), ''),
  };
}

function elementName(node: OrderedNode): string | undefined {
  return Object.keys(node).find((k) => k !== ':@' && !k.startsWith('#') && !k.startsWith('?'));
}

function split(qname: string): [prefix: string, local: string] {
  const colon = qname.indexOf(':');
  return colon < 0 ? ['', qname] : [qname.slice(0, colon), qname.slice(colon + 1)];
}

function build(
  node: OrderedNode,
  inScope: ReadonlyMap<string, string>,
  parentPath: string,
  index = 0,
): XmlElement {
  const qname = elementName(node)!;
  const raw = node[':@'] ?? {};
  const declares = Object.keys(raw).some((k) => k === 'xmlns' || k.startsWith('xmlns:'));
  const scope = declares ? new Map(inScope) : inScope;
  if (declares) {
    for (const [key, value] of Object.entries(raw)) {
      if (key === 'xmlns') (scope as Map<string, string>).set('', decodeEntities(value));
      else if (key.startsWith('xmlns:'))
        (scope as Map<string, string>).set(key.slice(6), decodeEntities(value));
    }
  }
  const [prefix, name] = split(qname);
  const attributes = new Map<string, string>();
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'xmlns' || key.startsWith('xmlns:')) continue;
    const [p, local] = split(key);
    const ns = p ? scope.get(p) : '';
    attributes.set(ns === XSI ? `xsi:${local}` : local, decodeEntities(value));
  }
  const path = `${parentPath}/${name}${index > 0 ? `[${index}]` : ''}`;
  const content = (node[qname] ?? []) as OrderedNode[];
  let text = '';
  const childNodes: OrderedNode[] = [];
  for (const c of content) {
    if ('#text' in c) text += decodeEntities(String(c['#text']));
    else if ('#cdata' in c)
      text += ((c['#cdata'] ?? []) as { '#text'?: string | number }[])
        .map((t) => `${t['#text'] ?? ''}`)
        .join('');
    else if (elementName(c) !== undefined) childNodes.push(c);
  }
  // XPath positions count same-named siblings; [n] only where a name repeats
  const counts = new Map<string, number>();
  for (const c of childNodes) {
    const local = split(elementName(c)!)[1];
    counts.set(local, (counts.get(local) ?? 0) + 1);
  }
  const seen = new Map<string, number>();
  const children = childNodes.map((c) => {
    const local = split(elementName(c)!)[1];
    const n = (seen.get(local) ?? 0) + 1;
    seen.set(local, n);
    return build(c, scope, path, counts.get(local)! > 1 ? n : 0);
  });
  return { name, ns: scope.get(prefix) ?? '', attributes, children, text, path };
}

/** The HL7 v3 children of `el` named `name`. */
export function childrenNamed(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name && c.ns === HL7_V3) : [];
}

export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name && c.ns === HL7_V3);
}

/** Follows a path of child names: `at(doc, 'recordTarget', 'patientRole')`. */
export function at(el: XmlElement | undefined, ...names: string[]): XmlElement | undefined {
  let cur = el;
  for (const n of names) cur = child(cur, n);
  return cur;
}

export function attr(el: XmlElement | undefined, name: string): string | undefined {
  const v = el?.attributes.get(name)?.trim();
  return v ? v : undefined;
}

/** All text inside the element and its descendants (narrative `<br/>` and `<paragraph>` as line
 * breaks), trimmed. */
export function textOf(el: XmlElement | undefined): string {
  if (!el) return '';
  const parts: string[] = [el.text];
  for (const c of el.children) {
    const t = textOf(c);
    if (c.name === 'br') parts.push('\n');
    else if (t) parts.push(c.name === 'paragraph' || c.name === 'item' ? `\n${t}\n` : t);
  }
  return parts
    .join('')
    .split('\n')
    .map((l) => l.trim())
    .filter((l, i, all) => l !== '' || (i > 0 && all[i - 1] !== ''))
    .join('\n')
    .trim();
}
