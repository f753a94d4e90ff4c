/**
 * The code examples of a Markdown document, each with the instructions of the
 * `<!-- example: ... -->` comment before its fence. Every fenced block must carry one: an
 * example is either run (and so known to work) or skipped with a stated reason.
 *
 *   <!-- example: -->                          run it; it must exit 0
 *   <!-- example: expect="hello" -->           ... and print this (or expect='say "hi"')
 *   <!-- example: until="listening" -->        a program that does not end: stop it once it printed this
 *   <!-- example: background until="ready" --> leave it running for the examples after it
 *   <!-- example: broker background until="started" -->  this block starts the document's broker
 *                                              (otherwise the test starts one before the first example)
 *   <!-- example: file="hopper.json" -->       not a program: write it to this file for later examples
 *   <!-- example: skip="why" -->               not run, for the reason given
 *   needs="kcat python3:pika"                   skipped, saying so, where these are missing (a command,
 *                                              or a module of Debian's python3), as the other client tests are
 *   timeoutMs=N                                 for any of them (default 30000)
 */
export interface Example {
  doc: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  code: string;
  expect: string | null;
  until: string | null;
  background: boolean;
  /** This block starts the broker the document's other examples use. */
  broker: boolean;
  file: string | null;
  skip: string | null;
  needs: string[];
  timeoutMs: number;
}

const FENCE = /^```(\S*)\s*$/;
const ANNOTATION = /^<!--\s*example:(.*?)-->\s*$/;
const ATTR = /(\w+)(?:=(?:"([^"]*)"|'([^']*)'|(\S+)))?/g;

export function examplesOf(doc: string, text: string): Example[] {
  const lines = text.split('\n');
  const out: Example[] = [];
  let note: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const a = ANNOTATION.exec(line);
    if (a) {
      note = a[1]!;
      continue;
    }
    const f = FENCE.exec(line);
    if (!f) {
      if (line.trim() !== '') note = null;
      continue;
    }
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    if (note === null) throw new Error(`${doc}:${start + 1}: a code block without an <!-- example: ... --> comment before it`);
    const attrs = parseAttrs(note, `${doc}:${start + 1}`);
    out.push({
      doc,
      line: start + 1,
      lang: f[1]!,
      code: body.join('\n') + '\n',
      expect: attrs.get('expect') ?? null,
      until: attrs.get('until') ?? null,
      background: attrs.has('background'),
      broker: attrs.has('broker'),
      file: attrs.get('file') ?? null,
      skip: attrs.get('skip') ?? null,
      needs: (attrs.get('needs') ?? '').split(/\s+/).filter((n) => n !== ''),
      timeoutMs: Number(attrs.get('timeoutMs') ?? 30_000),
    });
    note = null;
  }
  return out;
}

function parseAttrs(s: string, where: string): Map<string, string> {
  const known = new Set(['expect', 'until', 'background', 'broker', 'file', 'skip', 'needs', 'timeoutMs']);
  const m = new Map<string, string>();
  for (const a of s.matchAll(ATTR)) {
    if (!known.has(a[1]!)) throw new Error(`${where}: unknown example attribute '${a[1]}'`);
    m.set(a[1]!, a[2] ?? a[3] ?? a[4] ?? '');
  }
  if (m.has('skip') && m.get('skip') === '') throw new Error(`${where}: skip needs a reason`);
  return m;
}
