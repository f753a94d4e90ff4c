/**
 * Permission patterns: RabbitMQ's configure/write/read regular expressions, with RabbitMQ's
 * meaning so that permissions copied from a RabbitMQ deployment grant the same access:
 *  - a pattern matches if it matches anywhere in the resource name (RabbitMQ uses an
 *    unanchored match), so write "^orders$" to grant exactly "orders";
 *  - '' is RabbitMQ's synonym for '^$': it matches only the empty name, which no resource
 *    has (the default exchange is checked as amq.default), so it means "no access".
 *
 * JavaScript regexes backtrack, so a pattern can take exponential time. Patterns are set by
 * administrators, not clients, but a slip would stall every check, so we bound their length
 * and refuse the classic catastrophic shape: a repeated group that itself contains a
 * repetition, like (a+)+ or (.*x)*. That is a heuristic, not a proof: (a|aa)+ passes. Resource
 * names are at most 255 bytes, which bounds the input side.
 */
import { HopperError } from '../errors.js';

export const permissionPatternMaxChars = 512;

export type NameMatcher = (name: string) => boolean;

const matchNothing: NameMatcher = () => false;
const matchEverything: NameMatcher = () => true;

function refuse(pattern: string, why: string): never {
  throw new HopperError('INVALID_ARGUMENT', `invalid permission pattern ${JSON.stringify(pattern)}: ${why}`);
}

/** Throws INVALID_ARGUMENT if the pattern is too long, not a regex, or likely catastrophic. */
export function validatePattern(pattern: string, maxChars: number = permissionPatternMaxChars): void {
  if (typeof pattern !== 'string') refuse(String(pattern), 'not a string');
  if (pattern.length > maxChars) refuse(pattern, `longer than ${maxChars} characters`);
  try {
    new RegExp(pattern);
  } catch (e) {
    refuse(pattern, (e as Error).message);
  }
  if (hasNestedRepetition(pattern)) refuse(pattern, 'a repeated group contains a repetition (catastrophic backtracking)');
}

/** Compiles an already valid pattern to a matcher (unanchored, as RabbitMQ matches). */
export function compilePattern(pattern: string): NameMatcher {
  if (pattern === '' || pattern === '^$') return matchNothing;
  if (pattern === '.*') return matchEverything;
  const re = new RegExp(pattern);
  return (name) => re.test(name);
}

const braceRe = /^\{(\d+)(,(\d*))?\}/;

/**
 * The length of a quantifier at src[i] (0 if none) and whether it repeats (can match its
 * atom more than once: *, +, {n,}, {n,m} with m > 1, {n} with n > 1).
 */
function quantifierAt(src: string, i: number): { len: number; repeats: boolean } {
  const c = src[i];
  if (c === '*' || c === '+') return { len: lazyLen(src, i + 1, 1), repeats: true };
  if (c === '?') return { len: lazyLen(src, i + 1, 1), repeats: false };
  if (c === '{') {
    const m = braceRe.exec(src.slice(i));
    if (m === null) return { len: 0, repeats: false };
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : m[3] === '' ? Infinity : Number(m[3]);
    return { len: lazyLen(src, i + m[0].length, m[0].length), repeats: hi > 1 };
  }
  return { len: 0, repeats: false };
}

function lazyLen(src: string, next: number, len: number): number {
  return src[next] === '?' ? len + 1 : len;
}

/** Scans the regex source tracking, per open group, whether it holds a repeating quantifier. */
export function hasNestedRepetition(src: string): boolean {
  const stack: boolean[] = [false];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    let groupRepeats = false;
    if (c === '\\') {
      i += 2;
    } else if (c === '[') {
      i++;
      if (src[i] === '^') i++;
      if (src[i] === ']') i++;
      while (i < src.length && src[i] !== ']') i += src[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '(') {
      stack.push(false);
      i++;
      if (src[i] === '?') {
        // Group modifiers (?: (?= (?! (?<= (?<! (?<name> are not quantifiers.
        i++;
        if (src[i] === '<' && src[i + 1] !== '=' && src[i + 1] !== '!') {
          while (i < src.length && src[i] !== '>') i++;
        }
        i++;
      }
      continue;
    } else if (c === ')') {
      groupRepeats = stack.length > 1 ? stack.pop()! : false;
      i++;
    } else {
      i++;
    }
    const q = quantifierAt(src, i);
    if (q.len > 0) {
      if (q.repeats && groupRepeats) return true;
      i += q.len;
      if (q.repeats) stack[stack.length - 1] = true;
    }
    if (groupRepeats) stack[stack.length - 1] = true;
  }
  return false;
}
