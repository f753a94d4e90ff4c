import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Router } from '../../../src/core/exchange/router.js';
import { typedValueMatches, argumentsEqual } from '../../../src/core/exchange/arguments.js';
import { makeMessage, type Header, type TypedValue } from '../../../src/core/message.js';
import { isHopperError } from '../../../src/core/errors.js';

const s = (value: string): TypedValue => ({ type: 'string', value });
const i = (value: number): TypedValue => ({ type: 'int', value });
const v: TypedValue = { type: 'void' };

function headersRouter(args: Record<string, TypedValue>): Router {
  const r = new Router('/', { predeclare: false });
  r.declareExchange({ name: 'h', type: 'headers' });
  r.addQueue('q');
  r.bind('h', { kind: 'queue', name: 'q' }, '', args);
  return r;
}

function routes(r: Router, attributes: Record<string, TypedValue> | undefined, headers: Header[] = []): boolean {
  return r.route('h', 'ignored', makeMessage('x', { headers, properties: attributes ? { attributes } : {} })).length === 1;
}

test('x-match all (the default) needs every argument', () => {
  const r = headersRouter({ format: s('pdf'), type: s('report') });
  assert.equal(routes(r, { format: s('pdf'), type: s('report'), extra: i(1) }), true);
  assert.equal(routes(r, { format: s('pdf') }), false);
  assert.equal(routes(r, { format: s('pdf'), type: s('log') }), false);
  assert.equal(routes(r, undefined), false);
});

test('x-match any needs one argument', () => {
  const r = headersRouter({ 'x-match': s('any'), format: s('pdf'), type: s('report') });
  assert.equal(routes(r, { type: s('report') }), true);
  assert.equal(routes(r, { format: s('zip'), type: s('log') }), false);
});

test('all with no comparable arguments matches everything; any matches nothing', () => {
  assert.equal(routes(headersRouter({}), {}), true);
  assert.equal(routes(headersRouter({ 'x-match': s('all'), 'x-foo': s('1') }), {}), true);
  assert.equal(routes(headersRouter({ 'x-match': s('any') }), { a: s('1') }), false);
});

test('x- arguments are ignored unless -with-x', () => {
  const plain = headersRouter({ 'x-match': s('all'), 'x-tenant': s('t1'), k: s('v') });
  assert.equal(routes(plain, { k: s('v') }), true);
  const withX = headersRouter({ 'x-match': s('all-with-x'), 'x-tenant': s('t1'), k: s('v') });
  assert.equal(routes(withX, { k: s('v') }), false);
  assert.equal(routes(withX, { k: s('v'), 'x-tenant': s('t1') }), true);
  const anyX = headersRouter({ 'x-match': s('any-with-x'), 'x-tenant': s('t1') });
  assert.equal(routes(anyX, { 'x-tenant': s('t1') }), true);
  assert.equal(routes(headersRouter({ 'x-match': s('any'), 'x-tenant': s('t1') }), { 'x-tenant': s('t1') }), false);
});

test('a void argument matches presence with any value', () => {
  const r = headersRouter({ trace: v });
  assert.equal(routes(r, { trace: i(7) }), true);
  assert.equal(routes(r, { trace: s('') }), true);
  assert.equal(routes(r, {}), false);
  assert.equal(routes(r, undefined, [{ key: 'trace', value: null }]), true);
});

test('values compare by type class', () => {
  const r = headersRouter({ n: i(5) });
  assert.equal(routes(r, { n: { type: 'long', value: 5n } }), true);
  assert.equal(routes(r, { n: { type: 'number', value: '5' } }), true, 'SQS Number 5');
  assert.equal(routes(r, { n: { type: 'float', value: 5 } }), false, 'a float is not an integer');
  assert.equal(routes(r, { n: s('5') }), false, 'a string is not an integer');
  assert.equal(typedValueMatches({ type: 'float', value: 1.5 }, { type: 'number', value: '1.5' }), true);
  assert.equal(typedValueMatches({ type: 'decimal', scale: 2, value: 150 }, { type: 'decimal', scale: 1, value: 15 }), true);
  assert.equal(typedValueMatches({ type: 'bool', value: true }, { type: 'int', value: 1 }), false);
  assert.equal(typedValueMatches(s('a'), { type: 'bytes', value: Buffer.from('a') }), false);
  assert.equal(typedValueMatches({ type: 'array', value: [i(1), s('b')] }, { type: 'array', value: [{ type: 'long', value: 1n }, s('b')] }), true);
  assert.equal(typedValueMatches({ type: 'table', value: { a: i(1) } }, { type: 'table', value: { a: i(1), b: i(2) } }), false);
});

test('plain headers compare as UTF-8 strings; typed attributes win over them', () => {
  const r = headersRouter({ region: s('eu-wést') });
  assert.equal(routes(r, undefined, [{ key: 'region', value: Buffer.from('eu-wést') }]), true);
  assert.equal(routes(r, undefined, [{ key: 'region', value: Buffer.from('us') }, { key: 'region', value: Buffer.from('eu-wést') }]), true);
  assert.equal(routes(r, undefined, [{ key: 'region', value: Buffer.from('us') }]), false);
  assert.equal(routes(r, { region: s('us') }, [{ key: 'region', value: Buffer.from('eu-wést') }]), false);
  const n = headersRouter({ n: i(5) });
  assert.equal(routes(n, undefined, [{ key: 'n', value: Buffer.from('5') }]), false, 'an untyped header is a string');
});

test('a header named __proto__ or constructor is an ordinary name', () => {
  const r = headersRouter({ constructor: v });
  assert.equal(routes(r, {}), false);
  const attrs = JSON.parse('{"__proto__": {"type":"string","value":"x"}}') as Record<string, TypedValue>;
  const p = headersRouter(JSON.parse('{"__proto__": {"type":"string","value":"x"}}'));
  assert.equal(routes(p, attrs), true);
  assert.equal(routes(p, {}), false);
});

test('a bad x-match is refused at bind time', () => {
  const r = new Router('/', { predeclare: false });
  r.declareExchange({ name: 'h', type: 'headers' });
  r.addQueue('q');
  assert.throws(() => r.bind('h', { kind: 'queue', name: 'q' }, '', { 'x-match': s('most') }), (e) => isHopperError(e, 'INVALID_ARGUMENT'));
  assert.throws(() => r.bind('h', { kind: 'queue', name: 'q' }, '', { 'x-match': i(1) }), (e) => isHopperError(e, 'INVALID_ARGUMENT'));
});

test('binding identity includes the arguments, type tags and all', () => {
  const r = headersRouter({ a: i(1) });
  assert.deepEqual(r.bind('h', { kind: 'queue', name: 'q' }, '', { a: i(1) }), { created: false });
  assert.deepEqual(r.bind('h', { kind: 'queue', name: 'q' }, '', { a: { type: 'long', value: 1n } }), { created: true });
  assert.equal(r.bindingsFrom('h').length, 2);
  r.unbind('h', { kind: 'queue', name: 'q' }, '', { a: i(1) });
  assert.equal(routes(r, { a: i(1) }), true, 'the long binding still routes (by type class)');
  assert.equal(argumentsEqual({ f: { type: 'float', value: NaN } }, { f: { type: 'float', value: NaN } }), true);
  assert.equal(argumentsEqual({ a: i(1) }, { a: i(1), b: i(2) }), false);
});
