/**
 * Runs a parsed RE2 pattern (./parse.ts) as Thompson's automaton, simulated one input code
 * point at a time with every live state at once (a Pike VM without captures): time is the
 * input length times the program size, never exponential, which is why RE2 exists and why
 * Kafka uses it for patterns that clients send.
 *
 * Only whole-input matches are asked (Kafka resolves a subscription regex with
 * `Pattern.matcher(topic).matches()`).
 */
import { type Assertion, type CharTest, type Node, parseRe2, RegexSyntaxError } from './parse.js';

/** Instructions a compiled pattern may have; larger patterns are refused (RE2 bounds its programs' memory too). */
export const MAX_PROGRAM_SIZE = 5_000;

const enum Op {
  Char,
  Split,
  Jump,
  Assert,
  Match,
}

interface Inst {
  op: Op;
  /** Char: the code point test. */
  test?: CharTest;
  /** Assert: which. */
  what?: Assertion;
  /** Next instruction (Char, Jump, Assert) or first branch (Split). */
  x: number;
  /** Split: second branch. */
  y: number;
}

export class Re2 {
  private constructor(
    readonly source: string,
    private readonly prog: readonly Inst[],
  ) {}

  /** Compiles an RE2 pattern; throws RegexSyntaxError where RE2 (or the size bound) refuses it. */
  static compile(pattern: string): Re2 {
    const prog: Inst[] = [];
    const emit = (inst: Inst): number => {
      if (prog.length >= MAX_PROGRAM_SIZE) throw new RegexSyntaxError(`pattern too large (over ${MAX_PROGRAM_SIZE} instructions): /${pattern}/`);
      prog.push(inst);
      return prog.length - 1;
    };
    // Instruction 0 is the entry: a jump to wherever the pattern's first instruction lands.
    emit({ op: Op.Jump, x: -1, y: -1 });
    const start = compileNode(parseRe2(pattern), emit, prog);
    prog[0]!.x = start.entry;
    patch(prog, start.outs, emit({ op: Op.Match, x: -1, y: -1 }));
    return new Re2(pattern, prog);
  }

  /** The instruction count: the work per input code point is at most this. */
  get size(): number {
    return this.prog.length;
  }

  /** Whether the whole of `input` matches. */
  matches(input: string): boolean {
    const text = Array.from(input, (c) => c.codePointAt(0)!);
    const n = this.prog.length;
    let clist = new Int32Array(n);
    let nlist = new Int32Array(n);
    let ccount = 0;
    let ncount = 0;
    const mark = new Int32Array(n).fill(-1);
    let gen = 0;
    const add = (list: Int32Array, count: number, pc: number, pos: number): number => {
      // Iterative epsilon closure (no recursion depth to blow on a^1000).
      const stack = [pc];
      while (stack.length > 0) {
        const p = stack.pop()!;
        if (mark[p] === gen) continue;
        mark[p] = gen;
        const inst = this.prog[p]!;
        switch (inst.op) {
          case Op.Jump:
            stack.push(inst.x);
            break;
          case Op.Split:
            stack.push(inst.y, inst.x);
            break;
          case Op.Assert:
            if (holds(inst.what!, text, pos)) stack.push(inst.x);
            break;
          default:
            list[count++] = p;
        }
      }
      return count;
    };
    ccount = add(clist, 0, 0, 0);
    for (let pos = 0; pos < text.length && ccount > 0; pos++) {
      gen++;
      ncount = 0;
      const c = text[pos]!;
      for (let k = 0; k < ccount; k++) {
        const inst = this.prog[clist[k]!]!;
        if (inst.op === Op.Char && inst.test!(c)) ncount = add(nlist, ncount, inst.x, pos + 1);
      }
      [clist, nlist] = [nlist, clist];
      ccount = ncount;
    }
    for (let k = 0; k < ccount; k++) if (this.prog[clist[k]!]!.op === Op.Match) return true;
    return false;
  }
}

interface Frag {
  entry: number;
  /** Instructions whose `x` (or `y` when negative-encoded) must point at what follows. */
  outs: number[];
}

/** outs entries: pc for the x slot, ~pc for the y slot. */
function patch(prog: Inst[], outs: readonly number[], to: number): void {
  for (const o of outs) {
    if (o >= 0) prog[o]!.x = to;
    else prog[~o]!.y = to;
  }
}

function compileNode(node: Node, emit: (i: Inst) => number, prog: Inst[]): Frag {
  switch (node.k) {
    case 'empty': {
      const j = emit({ op: Op.Jump, x: -1, y: -1 });
      return { entry: j, outs: [j] };
    }
    case 'char': {
      const pc = emit({ op: Op.Char, test: node.test, x: -1, y: -1 });
      return { entry: pc, outs: [pc] };
    }
    case 'assert': {
      const pc = emit({ op: Op.Assert, what: node.what, x: -1, y: -1 });
      return { entry: pc, outs: [pc] };
    }
    case 'cat': {
      let first: Frag | null = null;
      let outs: number[] = [];
      for (const item of node.items) {
        const f = compileNode(item, emit, prog);
        if (first === null) first = f;
        else patch(prog, outs, f.entry);
        outs = f.outs;
      }
      return { entry: first!.entry, outs };
    }
    case 'alt': {
      // split(a, split(b, c)) ...
      const frags = node.items.map((item) => compileNode(item, emit, prog));
      let entry = frags[frags.length - 1]!.entry;
      for (let k = frags.length - 2; k >= 0; k--) entry = emit({ op: Op.Split, x: frags[k]!.entry, y: entry });
      return { entry, outs: frags.flatMap((f) => f.outs) };
    }
    case 'repeat':
      return compileRepeat(node.node, node.min, node.max, emit, prog);
  }
}

function compileRepeat(node: Node, min: number, max: number, emit: (i: Inst) => number, prog: Inst[]): Frag {
  const parts: Frag[] = [];
  for (let k = 0; k < min; k++) parts.push(compileNode(node, emit, prog));
  if (max === -1) {
    // x*: split(x -> back to split, out)
    const body = compileNode(node, emit, prog);
    const split = emit({ op: Op.Split, x: body.entry, y: -1 });
    patch(prog, body.outs, split);
    parts.push({ entry: split, outs: [~split] });
  } else {
    // x{0,k}: nested optionals, each one able to skip the rest.
    const skips: number[] = [];
    for (let k = min; k < max; k++) {
      const body = compileNode(node, emit, prog);
      const split = emit({ op: Op.Split, x: body.entry, y: -1 });
      skips.push(~split);
      parts.push({ entry: split, outs: body.outs });
    }
    if (parts.length === 0) {
      const j = emit({ op: Op.Jump, x: -1, y: -1 });
      return { entry: j, outs: [j] };
    }
    const last = parts[parts.length - 1]!;
    parts[parts.length - 1] = { entry: last.entry, outs: [...last.outs, ...skips] };
  }
  for (let k = 1; k < parts.length; k++) patch(prog, parts[k - 1]!.outs, parts[k]!.entry);
  return { entry: parts[0]!.entry, outs: parts[parts.length - 1]!.outs };
}

const isWord = (c: number | undefined): boolean =>
  c !== undefined && ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95);

function holds(what: Assertion, text: readonly number[], pos: number): boolean {
  switch (what) {
    case 'bot':
      return pos === 0;
    case 'eot':
      return pos === text.length;
    case 'bol':
      return pos === 0 || text[pos - 1] === 10;
    case 'eol':
      return pos === text.length || text[pos] === 10;
    case 'word':
      return isWord(text[pos - 1]) !== isWord(text[pos]);
    case 'notWord':
      return isWord(text[pos - 1]) === isWord(text[pos]);
  }
}

export { RegexSyntaxError };
