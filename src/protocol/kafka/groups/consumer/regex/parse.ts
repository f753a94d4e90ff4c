/**
 * A parser for the regular expressions of KIP-848's SubscribedTopicRegex, which Kafka compiles
 * with RE2/J: RE2's syntax, not JavaScript's. Patterns RE2 refuses (backreferences, lookaround,
 * possessive or doubled repetition, counts over 1000, unknown escapes) are refused here too, and
 * what RE2 accepts but JavaScript spells differently (inline flags anywhere, `(?P<name>`, `\Q…\E`,
 * `\pL`, `[[:alpha:]]`, `\z`, octal escapes) is understood. The result is an AST that
 * ./program.ts runs as an automaton in time linear in the input, as RE2 does, so a client's
 * pattern cannot make the broker backtrack for ever.
 *
 * Known approximations: case folding (`(?i)`) compares the lower and upper case of each code
 * point (RE2 uses Unicode's simple folding orbits); Unicode classes are JavaScript's (`\p{Greek}`
 * is read as Script=Greek); `(?U)` and lazy quantifiers are accepted and, since only whether a
 * whole name matches is asked, change nothing.
 */

export class RegexSyntaxError extends Error {}

/** Matches one code point. */
export type CharTest = (cp: number) => boolean;

export type Assertion = 'bot' | 'eot' | 'bol' | 'eol' | 'word' | 'notWord';

export type Node =
  | { readonly k: 'empty' }
  | { readonly k: 'char'; readonly test: CharTest }
  | { readonly k: 'cat'; readonly items: readonly Node[] }
  | { readonly k: 'alt'; readonly items: readonly Node[] }
  | { readonly k: 'repeat'; readonly node: Node; readonly min: number; readonly max: number /* -1: no bound */ }
  | { readonly k: 'assert'; readonly what: Assertion };

/** RE2's limit on a repetition count. */
export const MAX_REPEAT = 1000;
/** RE2's limit on nested groups ("expression nests too deeply"); it also bounds this parser's recursion. */
export const MAX_NESTING = 1000;

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
}

const EMPTY: Node = { k: 'empty' };
const cp = (s: string): number => s.codePointAt(0)!;

/** Parses an RE2 pattern; throws RegexSyntaxError where RE2 would refuse it. */
export function parseRe2(pattern: string): Node {
  return new Parser(pattern).parseAll();
}

class Parser {
  private readonly chars: number[];
  private pos = 0;
  private readonly names = new Set<string>();
  private depth = 0;

  constructor(readonly pattern: string) {
    this.chars = Array.from(pattern, cp);
  }

  private fail(why: string): never {
    throw new RegexSyntaxError(`${why} at position ${this.pos} of /${this.pattern}/`);
  }

  private peek(at = 0): number | undefined {
    return this.chars[this.pos + at];
  }

  private eat(c: string): boolean {
    if (this.peek() !== cp(c)) return false;
    this.pos++;
    return true;
  }

  parseAll(): Node {
    const node = this.parseAlt({ i: false, m: false, s: false });
    if (this.pos < this.chars.length) this.fail('unexpected )');
    return node;
  }

  /** Alternatives up to a `)` or the end; flags set inside with `(?i)` stay inside. */
  private parseAlt(outer: Flags): Node {
    const flags = { ...outer };
    const items: Node[] = [this.parseConcat(flags)];
    while (this.eat('|')) items.push(this.parseConcat(flags));
    return items.length === 1 ? items[0]! : { k: 'alt', items };
  }

  private parseConcat(flags: Flags): Node {
    const items: Node[] = [];
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === cp('|') || c === cp(')')) break;
      const atom = this.parseAtom(flags);
      if (atom === null) continue; // a flag group such as (?i)
      items.push(this.parseRepeats(atom));
    }
    return items.length === 0 ? EMPTY : items.length === 1 ? items[0]! : { k: 'cat', items };
  }

  /** Quantifiers after an atom: at most one, optionally lazy (RE2 refuses a** and a*+). */
  private parseRepeats(atom: Node): Node {
    const q = this.parseQuantifier();
    if (q === null) return atom;
    this.eat('?'); // lazy: irrelevant to whether a whole name matches
    if (this.parseQuantifier(true) !== null) this.fail('bad repetition operator');
    return { k: 'repeat', node: atom, min: q.min, max: q.max };
  }

  private parseQuantifier(probeOnly = false): { min: number; max: number } | null {
    const c = this.peek();
    if (c === cp('*') || c === cp('+') || c === cp('?')) {
      if (probeOnly) return { min: 0, max: 0 };
      this.pos++;
      return c === cp('*') ? { min: 0, max: -1 } : c === cp('+') ? { min: 1, max: -1 } : { min: 0, max: 1 };
    }
    if (c !== cp('{')) return null;
    const m = /^\{(\d+)(,(\d*))?\}/.exec(String.fromCodePoint(...this.chars.slice(this.pos, this.pos + 24)));
    if (!m) return null; // not a repetition: `{` is a literal
    if (probeOnly) return { min: 0, max: 0 };
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? -1 : Number(m[3]);
    if (min > MAX_REPEAT || max > MAX_REPEAT || (max !== -1 && max < min)) this.fail('bad repetition operator');
    this.pos += m[0].length;
    return { min, max };
  }

  /** One atom, or null for a flag-setting group. */
  private parseAtom(flags: Flags): Node | null {
    const c = this.chars[this.pos++]!;
    switch (String.fromCodePoint(c)) {
      case '*':
      case '+':
      case '?':
        this.pos--;
        return this.fail('missing argument to repetition operator');
      case '{':
        this.pos--;
        if (this.parseQuantifier(true) !== null) this.fail('missing argument to repetition operator');
        this.pos++;
        return literal(c, flags);
      case '(':
        return this.parseGroup(flags);
      case '[':
        return { k: 'char', test: fold(this.parseClass(), flags) };
      case '.':
        return { k: 'char', test: flags.s ? () => true : (x) => x !== 10 };
      case '^':
        return { k: 'assert', what: flags.m ? 'bol' : 'bot' };
      case '$':
        return { k: 'assert', what: flags.m ? 'eol' : 'eot' };
      case '\\':
        return this.parseEscape(flags);
      default:
        return literal(c, flags);
    }
  }

  private parseGroup(flags: Flags): Node | null {
    if (!this.eat('?')) return this.finishGroup(flags);
    if (this.eat('P') || this.peek() === cp('<')) {
      if (!this.eat('<')) this.fail('invalid or unsupported Perl syntax');
      if (this.peek() === cp('=') || this.peek() === cp('!')) this.fail('lookbehind is not supported');
      const start = this.pos;
      while (this.peek() !== undefined && this.peek() !== cp('>')) this.pos++;
      const name = String.fromCodePoint(...this.chars.slice(start, this.pos));
      if (!this.eat('>') || !/^\w+$/.test(name)) this.fail('invalid named capture');
      if (this.names.has(name)) this.fail('duplicate capture group name');
      this.names.add(name);
      return this.finishGroup(flags);
    }
    // Flags: (?flags) for the rest of the enclosing group, (?flags:re) for re only.
    const set = { ...flags };
    let negate = false;
    let any = false;
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.fail('missing )');
      this.pos++;
      const ch = String.fromCodePoint(c);
      if (ch === 'i' || ch === 'm' || ch === 's') {
        set[ch] = !negate;
        any = true;
      } else if (ch === 'U') any = true; // ungreedy: no effect on a whole-name match
      else if (ch === '-' && !negate) {
        negate = true;
        any = false;
      } else if ((ch === ')' || ch === ':') && any) {
        if (ch === ':') return this.finishGroup(set);
        Object.assign(flags, set);
        return null;
      } else this.fail('invalid or unsupported Perl syntax');
    }
  }

  private finishGroup(flags: Flags): Node {
    if (++this.depth > MAX_NESTING) this.fail('expression nests too deeply');
    const inner = this.parseAlt(flags);
    this.depth--;
    if (!this.eat(')')) this.fail('missing )');
    return inner;
  }

  private parseEscape(flags: Flags): Node {
    const c = this.peek();
    if (c === undefined) this.fail('trailing \\');
    switch (String.fromCodePoint(c)) {
      case 'A':
        this.pos++;
        return { k: 'assert', what: 'bot' };
      case 'z':
        this.pos++;
        return { k: 'assert', what: 'eot' };
      case 'b':
        this.pos++;
        return { k: 'assert', what: 'word' };
      case 'B':
        this.pos++;
        return { k: 'assert', what: 'notWord' };
      case 'Q': {
        this.pos++;
        const items: Node[] = [];
        while (this.peek() !== undefined && !(this.peek() === cp('\\') && this.peek(1) === cp('E'))) {
          items.push(literal(this.chars[this.pos++]!, flags));
        }
        if (this.peek() !== undefined) this.pos += 2;
        return items.length === 0 ? EMPTY : items.length === 1 ? items[0]! : { k: 'cat', items };
      }
      default: {
        const cls = this.parseClassEscape();
        if (cls) return { k: 'char', test: fold(cls, flags) };
        return literal(this.parseCharEscape(), flags);
      }
    }
  }

  /** \d \D \s \S \w \W \pX \p{Name} \PX \P{Name}, or null for another escape. */
  private parseClassEscape(): CharTest | null {
    const ch = String.fromCodePoint(this.peek()!);
    const perl = PERL[ch.toLowerCase()];
    if (perl) {
      this.pos++;
      return ch === ch.toLowerCase() ? perl : (x) => !perl(x);
    }
    if (ch !== 'p' && ch !== 'P') return null;
    this.pos++;
    let name: string;
    if (this.eat('{')) {
      const start = this.pos;
      while (this.peek() !== undefined && this.peek() !== cp('}')) this.pos++;
      name = String.fromCodePoint(...this.chars.slice(start, this.pos));
      if (!this.eat('}')) this.fail('invalid character class range');
    } else {
      const n = this.chars[this.pos++];
      if (n === undefined) this.fail('invalid escape sequence');
      name = String.fromCodePoint(n);
    }
    let negated = ch === 'P';
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    const test = unicodeClass(name);
    if (!test) this.fail(`invalid character class range \\p{${name}}`);
    return negated ? (x) => !test(x) : test;
  }

  /** An escape that stands for one code point. */
  private parseCharEscape(): number {
    const c = this.chars[this.pos++]!;
    const ch = String.fromCodePoint(c);
    if (ch >= '0' && ch <= '7') {
      // RE2: a single non-zero digit is a backreference (refused); otherwise up to 3 octal digits.
      if (ch !== '0' && !isOctal(this.peek())) this.fail('backreferences are not supported');
      let v = c - 48;
      for (let n = 1; n < 3 && isOctal(this.peek()); n++) v = v * 8 + (this.chars[this.pos++]! - 48);
      return v;
    }
    if (ch === 'x') {
      if (this.eat('{')) {
        const start = this.pos;
        while (this.peek() !== undefined && this.peek() !== cp('}')) this.pos++;
        const hex = String.fromCodePoint(...this.chars.slice(start, this.pos));
        if (!this.eat('}') || !/^[0-9A-Fa-f]{1,8}$/.test(hex) || parseInt(hex, 16) > 0x10ffff) this.fail('invalid escape sequence');
        return parseInt(hex, 16);
      }
      const hex = String.fromCodePoint(...this.chars.slice(this.pos, this.pos + 2));
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) this.fail('invalid escape sequence');
      this.pos += 2;
      return parseInt(hex, 16);
    }
    const simple = SIMPLE_ESCAPES[ch];
    if (simple !== undefined) return simple;
    // Punctuation escapes itself; letters and digits not listed above are errors (\C, \Z, \e ...).
    if (c < 0x80 && !/[A-Za-z0-9]/.test(ch)) return c;
    return this.fail(`invalid escape sequence \\${ch}`);
  }

  /** A bracketed class, after its `[`. */
  private parseClass(): CharTest {
    const negated = this.eat('^');
    const parts: CharTest[] = [];
    const ranges: number[] = [];
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.fail('missing ]');
      if (c === cp(']') && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (c === cp('[') && this.peek(1) === cp(':')) {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(String.fromCodePoint(...this.chars.slice(this.pos, this.pos + 16)));
        const posix = m ? POSIX[m[2]!] : undefined;
        if (m && posix) {
          this.pos += m[0].length;
          parts.push(m[1] ? (x) => !posix(x) : posix);
          continue;
        }
        if (m) this.fail('invalid character class range');
      }
      if (c === cp('\\')) {
        this.pos++;
        if (this.peek() === undefined) this.fail('trailing \\');
        const cls = this.parseClassEscape();
        if (cls) {
          parts.push(cls);
          continue;
        }
      } else this.pos++;
      const lo = c === cp('\\') ? this.parseCharEscape() : c;
      let hi = lo;
      if (this.peek() === cp('-') && this.peek(1) !== cp(']') && this.peek(1) !== undefined) {
        this.pos++;
        const h = this.chars[this.pos++]!;
        if (h === cp('\\')) {
          if (this.peek() === undefined) this.fail('trailing \\');
          if (PERL[String.fromCodePoint(this.peek()!).toLowerCase()] || this.peek() === cp('p') || this.peek() === cp('P')) this.fail('invalid character class range');
          hi = this.parseCharEscape();
        } else hi = h;
        if (hi < lo) this.fail('invalid character class range');
      }
      ranges.push(lo, hi);
    }
    const inRanges = (x: number): boolean => {
      for (let j = 0; j < ranges.length; j += 2) if (x >= ranges[j]! && x <= ranges[j + 1]!) return true;
      return false;
    };
    const test: CharTest = (x) => inRanges(x) || parts.some((p) => p(x));
    return negated ? (x) => !test(x) : test;
  }
}

function isOctal(c: number | undefined): boolean {
  return c !== undefined && c >= 48 && c <= 55;
}

/** A case-insensitive test under (?i): the code point, or its other case, passes. */
function fold(test: CharTest, flags: Flags): CharTest {
  if (!flags.i) return test;
  return (x) => test(x) || test(lowerOf(x)) || test(upperOf(x));
}

function literal(c: number, flags: Flags): Node {
  if (!flags.i || lowerOf(c) === upperOf(c)) return { k: 'char', test: (x) => x === c };
  const lower = lowerOf(c);
  return { k: 'char', test: (x) => x === c || lowerOf(x) === lower };
}

function lowerOf(x: number): number {
  if (x < 0x80) return x >= 65 && x <= 90 ? x + 32 : x;
  const s = String.fromCodePoint(x).toLowerCase();
  return s.length <= 2 ? s.codePointAt(0)! : x;
}

function upperOf(x: number): number {
  if (x < 0x80) return x >= 97 && x <= 122 ? x - 32 : x;
  const s = String.fromCodePoint(x).toUpperCase();
  return s.length <= 2 ? s.codePointAt(0)! : x;
}

const inAscii = (pattern: RegExp): CharTest => (x) => x < 0x80 && pattern.test(String.fromCharCode(x));

/** RE2's Perl classes are ASCII-only. */
const PERL: Record<string, CharTest> = {
  d: (x) => x >= 48 && x <= 57,
  s: (x) => x === 9 || x === 10 || x === 12 || x === 13 || x === 32,
  w: inAscii(/[0-9A-Za-z_]/),
};

const POSIX: Record<string, CharTest> = {
  alnum: inAscii(/[0-9A-Za-z]/),
  alpha: inAscii(/[A-Za-z]/),
  ascii: (x) => x < 0x80,
  blank: (x) => x === 9 || x === 32,
  cntrl: (x) => x < 32 || x === 127,
  digit: PERL.d!,
  graph: (x) => x > 32 && x < 127,
  lower: inAscii(/[a-z]/),
  print: (x) => x >= 32 && x < 127,
  punct: inAscii(/[!-/:-@[-`{-~]/),
  space: inAscii(/[\t\n\v\f\r ]/),
  upper: inAscii(/[A-Z]/),
  word: PERL.w!,
  xdigit: inAscii(/[0-9A-Fa-f]/),
};

const SIMPLE_ESCAPES: Record<string, number> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };

/** `\p{Name}`: a general category (L, Lu ...), `Any`, or a script (Greek, Han ...). */
function unicodeClass(name: string): CharTest | null {
  if (name === 'Any') return () => true;
  if (!/^[A-Za-z_]+$/.test(name)) return null;
  for (const source of [`^\\p{${name}}$`, `^\\p{Script=${name}}$`]) {
    try {
      const re = new RegExp(source, 'u');
      return (x) => re.test(String.fromCodePoint(x));
    } catch {
      // not this kind of name
    }
  }
  return null;
}
