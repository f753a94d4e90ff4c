import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Router } from '../../../src/core/exchange/router.js';
import { normalizeBindingWords, splitTopicKey } from '../../../src/core/exchange/topic-key.js';
import { makeMessage } from '../../../src/core/message.js';

const msg = makeMessage('x');

/** A topic exchange "t" bound to one queue per pattern; the queue is named after the pattern. */
function topicRouter(patterns: readonly string[]): Router {
  const r = new Router('/', { predeclare: false });
  r.declareExchange({ name: 't', type: 'topic' });
  for (const p of patterns) {
    r.addQueue(`q:${p}`);
    r.bind('t', { kind: 'queue', name: `q:${p}` }, p);
  }
  return r;
}

function matched(r: Router, key: string): string[] {
  return r.route('t', key, msg).map((d) => d.name.slice(2)).sort();
}

/** The reference: each word of the key preceded by one '.', the pattern turned into a regex. */
function referenceMatches(pattern: string, key: string): boolean {
  const esc = (w: string) => w.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
  const re = splitTopicKey(pattern).map((w) => (w === '*' ? '\\.[^.]*' : w === '#' ? '(?:\\.[^.]*)*' : `\\.${esc(w)}`)).join('');
  const subject = splitTopicKey(key).map((w) => `.${w}`).join('');
  return new RegExp(`^${re}$`).test(subject);
}

test('splitTopicKey: empty key has no words, every dot separates two words', () => {
  assert.deepEqual(splitTopicKey(''), []);
  assert.deepEqual(splitTopicKey('a'), ['a']);
  assert.deepEqual(splitTopicKey('.'), ['', '']);
  assert.deepEqual(splitTopicKey('a.'), ['a', '']);
  assert.deepEqual(splitTopicKey('a..b'), ['a', '', 'b']);
});

test('normalizeBindingWords puts stars before one hash in each wildcard run', () => {
  assert.deepEqual(normalizeBindingWords(['#', '#']), ['#']);
  assert.deepEqual(normalizeBindingWords(['#', '*', '#', '*', 'a', '#']), ['*', '*', '#', 'a', '#']);
  assert.deepEqual(normalizeBindingWords(['a', '*', 'b']), ['a', '*', 'b']);
});

const cases: [pattern: string, key: string, expected: boolean][] = [
  ['a.b.c', 'a.b.c', true],
  ['a.b.c', 'a.b', false],
  ['a.*.c', 'a.b.c', true],
  ['a.*.c', 'a.c', false],
  ['a.*.c', 'a..c', true], // '*' matches one empty word
  ['*', '', false], // the empty key has no word for '*'
  ['*', 'a', true],
  ['*', 'a.b', false],
  ['*.*', '.', true],
  ['#', '', true],
  ['#', 'a.b.c', true],
  ['#.#', '', true],
  ['#.#', 'a.b', true],
  ['a.#', 'a', true],
  ['a.#', 'a.b.c', true],
  ['a.#', 'b.a', false],
  ['#.a', 'a', true],
  ['#.a', 'x.y.a', true],
  ['#.a', 'a.x', false],
  ['a.#.b', 'a.b', true],
  ['a.#.b', 'a.x.y.b', true],
  ['a.#.b', 'a.x.y', false],
  ['a.#.b', 'a.b.x.b', true],
  ['#.*', '', false],
  ['#.*', 'a', true],
  ['*.#', 'a.b.c', true],
  ['#.*.#', 'a', true],
  ['', '', true], // empty binding key matches only the empty routing key
  ['', 'a', false],
  ['a.', 'a.', true],
  ['a.', 'a', false],
  ['a#', 'a#', true], // wildcards only as whole words
  ['a#', 'ab', false],
  ['a*.b', 'ax.b', false],
  ['#.b.#.b.#', 'b.b', true],
  ['#.b.#.b.#', 'a.b.c', false],
];

test('topic matching follows RabbitMQ on edge cases', () => {
  for (const [pattern, key, expected] of cases) {
    const r = topicRouter([pattern]);
    assert.equal(matched(r, key).length === 1, expected, `${JSON.stringify(pattern)} vs ${JSON.stringify(key)}`);
    assert.equal(referenceMatches(pattern, key), expected, `reference: ${JSON.stringify(pattern)} vs ${JSON.stringify(key)}`);
  }
});

test('many bindings share the trie and each destination is returned once', () => {
  const r = topicRouter(['a.*', 'a.#', '#', '*.b', 'a.b']);
  assert.deepEqual(matched(r, 'a.b'), ['#', '*.b', 'a.#', 'a.*', 'a.b']);
  assert.deepEqual(matched(r, 'a'), ['#', 'a.#']);
  r.addQueue('shared');
  r.bind('t', { kind: 'queue', name: 'shared' }, 'a.*');
  r.bind('t', { kind: 'queue', name: 'shared' }, '#.b');
  const names = r.route('t', 'a.b', msg).map((d) => d.name);
  assert.equal(names.filter((n) => n === 'shared').length, 1);
});

test('unbinding prunes and keeps other bindings routing', () => {
  const r = topicRouter(['a.#', 'a.b']);
  r.unbind('t', { kind: 'queue', name: 'q:a.#' }, 'a.#');
  assert.deepEqual(matched(r, 'a.b'), ['a.b']);
  assert.deepEqual(matched(r, 'a.c'), []);
  r.bind('t', { kind: 'queue', name: 'q:a.#' }, '#.a.#');
  assert.deepEqual(matched(r, 'x.a.y'), ['a.#']);
  r.unbind('t', { kind: 'queue', name: 'q:a.b' }, 'a.b');
  assert.deepEqual(matched(r, 'a.b'), ['a.#']);
});

test('the same pattern written two ways is two bindings that unbind separately', () => {
  const r = new Router('/', { predeclare: false });
  r.declareExchange({ name: 't', type: 'topic' });
  r.addQueue('q');
  r.bind('t', { kind: 'queue', name: 'q' }, '#.*');
  r.bind('t', { kind: 'queue', name: 'q' }, '*.#');
  assert.equal(r.bindingsFrom('t').length, 2);
  r.unbind('t', { kind: 'queue', name: 'q' }, '#.*');
  assert.deepEqual(r.route('t', 'a', msg).map((d) => d.name), ['q']);
  r.unbind('t', { kind: 'queue', name: 'q' }, '*.#');
  assert.deepEqual(r.route('t', 'a', msg), []);
});

// Words from a small alphabet so that random patterns and keys actually meet.
const word = fc.constantFrom('', 'a', 'b', 'c', 'ab');
const patternWord = fc.oneof({ weight: 3, arbitrary: word }, { weight: 1, arbitrary: fc.constant('*') }, { weight: 1, arbitrary: fc.constant('#') });
const key = fc.array(word, { maxLength: 7 }).map((ws) => ws.join('.'));
const pattern = fc.array(patternWord, { maxLength: 6 }).map((ws) => ws.join('.'));

test('property: the trie agrees with the regex reference', () => {
  fc.assert(
    fc.property(fc.uniqueArray(pattern, { minLength: 1, maxLength: 12 }), fc.array(key, { minLength: 1, maxLength: 10 }), (patterns, keys) => {
      const r = topicRouter(patterns);
      for (const k of keys) {
        const want = patterns.filter((p) => referenceMatches(p, k)).sort();
        assert.deepEqual(matched(r, k), want, `key ${JSON.stringify(k)}`);
      }
    }),
    { numRuns: 400 },
  );
});

test('property: after random unbinds the trie still agrees with the reference', () => {
  fc.assert(
    fc.property(fc.uniqueArray(pattern, { minLength: 1, maxLength: 12 }), fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), fc.array(key, { maxLength: 8 }), (patterns, drop, keys) => {
      const r = topicRouter(patterns);
      const kept = patterns.filter((p, i) => {
        if (!drop[i]) return true;
        r.unbind('t', { kind: 'queue', name: `q:${p}` }, p);
        return false;
      });
      for (const k of keys) assert.deepEqual(matched(r, k), kept.filter((p) => referenceMatches(p, k)).sort());
    }),
    { numRuns: 300 },
  );
});

test('pathological patterns and long keys stay fast', () => {
  const patterns = ['#.a.#.a.#.a.#.a.#.a.#.a.#.b', '#.#.#.#.#.#.#.#.#.#.#.#.z', '*.#.*.#.*.#.*.#.q'];
  const r = topicRouter(patterns);
  const longKey = Array.from({ length: 2000 }, () => 'a').join('.');
  const started = process.hrtime.bigint();
  for (let i = 0; i < 20; i++) assert.deepEqual(matched(r, longKey), []);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  // Without the per-'#' memo this is astronomically slow; with it, well under a second.
  assert.ok(ms < 2000, `took ${ms} ms`);
  assert.deepEqual(matched(r, `${longKey}.b`), ['#.a.#.a.#.a.#.a.#.a.#.a.#.b']);
});
