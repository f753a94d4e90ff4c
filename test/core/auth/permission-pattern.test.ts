import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePattern, hasNestedRepetition, validatePattern } from '../../../src/core/auth/permission-pattern.js';
import { isHopperError } from '../../../src/core/errors.js';

const matches = (p: string, name: string) => {
  validatePattern(p);
  return compilePattern(p)(name);
};

test("'' matches nothing, '.*' everything", () => {
  for (const n of ['', 'a', 'amq.default', 'x'.repeat(255)]) {
    assert.equal(matches('', n), false);
    assert.equal(matches('.*', n), true);
  }
});

test('patterns match anywhere in the name, as RabbitMQ does; anchors restrict them', () => {
  assert.equal(matches('orders', 'orders'), true);
  assert.equal(matches('orders', 'orders-archive'), true);
  assert.equal(matches('orders', 'my-orders'), true);
  assert.equal(matches('orders', 'invoices'), false);
  assert.equal(matches('^orders$', 'orders'), true);
  assert.equal(matches('^orders$', 'orders-archive'), false);
  assert.equal(matches('^app\\..*', 'app.q1'), true);
  assert.equal(matches('^app\\..*', 'apps'), false);
  assert.equal(matches('^(a|b)$', 'ab'), false);
  assert.equal(matches('^(a|b)$', 'b'), true);
  assert.equal(matches('^amq\\.gen-.*|^tmp-.*', 'tmp-1'), true);
  assert.equal(matches('^amq\\.gen-.*|^tmp-.*', 'xtmp-1'), false);
  // '' is RabbitMQ's synonym for '^$'.
  assert.equal(matches('^$', 'x'), false);
});

test('invalid, overlong and catastrophic patterns are refused', () => {
  const refused = (p: string) => assert.throws(() => validatePattern(p), (e) => isHopperError(e, 'INVALID_ARGUMENT'), JSON.stringify(p));
  refused('(');
  refused('a)|(b');
  refused('[a-');
  refused('a'.repeat(513));
  refused('(a+)+$');
  refused('(.*a)*');
  refused('(a|b*){2,}');
  refused('((ab)*c)+');
  refused('(?:x+y)+');
  refused('(.*x){20}');
});

test('the nested-repetition heuristic leaves ordinary patterns alone', () => {
  for (const ok of ['.*', '^(amq\\.gen.*|app\\..*)$', '(a|b)*', '(ab+)?', '[(+*)]+', '\\(a+\\)+', '(?<name>x)+', 'a{2}b{1,3}', '(x{1})+']) {
    assert.equal(hasNestedRepetition(ok), false, ok);
    validatePattern(ok);
  }
});
