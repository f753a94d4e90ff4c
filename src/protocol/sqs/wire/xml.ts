/** A minimal XML writer for the query protocol's responses: elements and escaped text only. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"'\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : c === "'" ? '&apos;' : '&#xD;'));
}

export function element(name: string, inner: string): string {
  return `<${name}>${inner}</${name}>`;
}
