// Minimal XML writing for the REST-XML and EC2 query front ends, and one configured parser.
import { XMLParser } from 'fast-xml-parser';

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export type XmlValue = string | number | boolean | undefined | null | XmlNode | XmlValue[];
export interface XmlNode {
  [tag: string]: XmlValue;
}

/**
 * Renders `{ Tag: value }` children. Arrays repeat the tag; undefined/null are omitted;
 * an array value under a `wrap` key is written as <wrap><item>..</item></wrap> by the caller.
 */
export function xmlChildren(node: XmlNode): string {
  let out = '';
  for (const [tag, value] of Object.entries(node)) out += xmlElement(tag, value);
  return out;
}

export function xmlElement(tag: string, value: XmlValue): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((v) => xmlElement(tag, v)).join('');
  if (typeof value === 'object') return `<${tag}>${xmlChildren(value)}</${tag}>`;
  return `<${tag}>${escapeXml(String(value))}</${tag}>`;
}

export function xmlDocument(root: string, namespace: string, body: XmlNode): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${namespace}">${xmlChildren(body)}</${root}>`;
}

/** Parses request XML; every element value stays a string; repeated tags become arrays only where listed. */
export function parseXml(text: string, arrayTags: string[] = []): Record<string, unknown> {
  const parser = new XMLParser({
    ignoreAttributes: true,
    removeNSPrefix: true,
    parseTagValue: false,
    trimValues: true,
    isArray: (name) => arrayTags.includes(name),
  });
  return parser.parse(text, true) as Record<string, unknown>;
}
