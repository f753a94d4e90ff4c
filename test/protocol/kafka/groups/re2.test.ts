import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_PROGRAM_SIZE, Re2, RegexSyntaxError } from '../../../../src/protocol/kafka/groups/consumer/regex/program.js';

const m = (pattern: string, input: string): boolean => Re2.compile(pattern).matches(input);
const refused = (pattern: string): void => assert.throws(() => Re2.compile(pattern), RegexSyntaxError, `/${pattern}/ should be refused`);

describe('RE2 subscription patterns (whole-name matches, as Kafka resolves them)', () => {
  it('matches whole names only', () => {
    assert.equal(m('orders-.*', 'orders-eu'), true);
    assert.equal(m('orders-.*', 'old-orders-eu'), false, 'no implicit search');
    assert.equal(m('orders', 'orders-eu'), false, 'no prefix match');
    assert.equal(m('', ''), true);
    assert.equal(m('', 'a'), false);
    assert.equal(m('a|b|', ''), true);
    assert.equal(m('(a|bc)+d', 'abcabcad'), true);
    assert.equal(m('t[0-9]{2,3}', 't12'), true);
    assert.equal(m('t[0-9]{2,3}', 't1234'), false);
    assert.equal(m('t[0-9]{2,}', 't1234567'), true);
    assert.equal(m('x{0}y', 'y'), true);
    assert.equal(m('a{,2}', 'a{,2}'), true, 'an invalid count is a literal brace, as in RE2');
    assert.equal(m('^topic$', 'topic'), true);
    assert.equal(m('\\Atopic\\z', 'topic'), true);
    assert.equal(m('a.c', 'a\nc'), false);
    assert.equal(m('(?s)a.c', 'a\nc'), true);
  });

  it('understands RE2 spellings JavaScript lacks', () => {
    assert.equal(m('(?i)ORDERS-.*', 'orders-x'), true);
    assert.equal(m('a(?i:B)c', 'abc'), true);
    assert.equal(m('a(?i:B)c', 'abC'), false, 'a flag group ends with its group');
    assert.equal(m('(a(?i)b)c', 'aBc'), true);
    assert.equal(m('(a(?i)b)c', 'aBC'), false, '(?i) lasts to the end of the enclosing group');
    assert.equal(m('(?i)a(?-i)b', 'Ab'), true);
    assert.equal(m('(?i)a(?-i)b', 'AB'), false);
    assert.equal(m('(?P<env>prod|dev)-x', 'dev-x'), true);
    assert.equal(m('(?<env>prod|dev)-x', 'prod-x'), true);
    assert.equal(m('\\Qa.b\\E.*', 'a.bc'), true);
    assert.equal(m('\\Qa.b\\E', 'axb'), false);
    assert.equal(m('[[:alpha:]]+_[[:digit:]]', 'abc_1'), true);
    assert.equal(m('[[:^digit:]]', 'x'), true);
    assert.equal(m('\\pL+', 'Ωmega'), true);
    assert.equal(m('\\p{Greek}+', 'ΩΣ'), true);
    assert.equal(m('\\PL', '1'), true);
    assert.equal(m('\\x{41}\\x42\\101', 'ABA'), true);
    assert.equal(m('\\d+\\.\\w+', '12.ab_c'), true);
    assert.equal(m('[^a-c]x', 'dx'), true);
    assert.equal(m('[]a]+', ']a]'), true);
    assert.equal(m('[a-]+', 'a-'), true);
    assert.equal(m('a*?b', 'aab'), true);
    assert.equal(m('(?U)a*b', 'aab'), true);
    assert.equal(m('\\bword\\b', 'word'), true);
  });

  it('refuses what RE2 refuses', () => {
    for (const p of ['a**', 'a*+', 'a{2}{3}', 'a???', '*a', '+', '{2}', '(a', 'a)', '[a', '[b-a]', 'a{1001}', 'a{3,2}',
      '\\1', '(a)\\1', '(?=a)', '(?!a)', '(?<=a)', '(?<!a)', '(?#c)', '(?)', '(?i-)', '\\C', '\\Z', '\\e', '\\p{NoSuchScript}',
      '(?P<n>a)(?P<n>b)', '(?P=n)', '\\', '[[:nosuch:]]', '\\x{110000}', '\\xZZ']) refused(p);
  });

  it('runs in time linear in the input, where a backtracking engine would not finish', () => {
    const evil = Re2.compile('(a|a)*(a+)+b');
    const name = 'a'.repeat(249);
    assert.equal(evil.matches(name), false); // a backtracking engine takes 2^249 steps here
    assert.equal(evil.matches(name + 'b'), true);
  });

  it('bounds the program size and the nesting', () => {
    refused('(((a{1000}){1000}){1000})');
    refused('('.repeat(20_000) + 'a' + ')'.repeat(20_000));
    assert.equal(m('('.repeat(500) + 'a' + ')'.repeat(500), 'a'), true);
    assert.ok(Re2.compile('a{1000}').size <= MAX_PROGRAM_SIZE);
  });
});
