// AWS's published Signature Version 4 test suite (aws-sig-v4-test-suite, 2015 edition): for each
// case, the request it gives, the canonical request it expects and the signature in its
// Authorization header, for access key AKIDEXAMPLE, secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY,
// region us-east-1, service "service", at 20150830T123600Z. We rebuild each canonical request
// from the request with our own functions, and verify each published signature.
//
// The suite writes paths as the signer sees them (unencoded: "/example space/"). SigV4 encodes
// the path it is given once more, so passing the suite's path as the received path yields the
// suite's canonical URI; on the wire the same request would arrive as "/example%20space/".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalHeaderValue, canonicalRequest, emptyBodySha256, sha256Hex } from '../../../../src/protocol/sqs/auth/canonical-request.js';
import { parseAmzDate, verifySigV4, type AccessKeyLookup } from '../../../../src/protocol/sqs/auth/verify.js';
import { canonicalParams, canonicalQueryString, canonicalUri } from '../../../../src/protocol/sqs/auth/uri-encode.js';
import { SigningKeyCache } from '../../../../src/protocol/sqs/auth/signing-key.js';

const id = 'AKIDEXAMPLE';
const keys: AccessKeyLookup = {
  accessKey: (k) => (k === id ? { secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', user: 'suite', accountId: '000000000000' } : undefined),
};
const when = '20150830T123600Z';
const nowMs = parseAmzDate(when);
const host = 'example.amazonaws.com';
const token = 'AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==';
const formHash = '9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e';

interface Case {
  name: string;
  method: string;
  url: string;
  /** Beyond host and x-amz-date; a repeated header is listed once per value. */
  headers?: [string, string][];
  body?: string;
  /** The expected canonical request's URI, query, extra header lines, and payload hash. */
  creq: { uri: string; query?: string; headers?: string[]; payload?: string };
  signature: string;
}

const cases: Case[] = [
  { name: 'get-vanilla', method: 'GET', url: '/', creq: { uri: '/' }, signature: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31' },
  { name: 'get-vanilla-empty-query-key', method: 'GET', url: '/?Param1=value1', creq: { uri: '/', query: 'Param1=value1' }, signature: 'a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb' },
  { name: 'get-vanilla-query-order-key-case', method: 'GET', url: '/?Param2=value2&Param1=value1', creq: { uri: '/', query: 'Param1=value1&Param2=value2' }, signature: 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500' },
  { name: 'get-vanilla-query-order-key', method: 'GET', url: '/?Param1=value2&Param1=Value1', creq: { uri: '/', query: 'Param1=Value1&Param1=value2' }, signature: 'eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1' },
  { name: 'get-vanilla-query-order-value', method: 'GET', url: '/?Param1=value2&Param1=value1', creq: { uri: '/', query: 'Param1=value1&Param1=value2' }, signature: '5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694' },
  { name: 'get-vanilla-query-order-encoded', method: 'GET', url: '/?Param-3=Value3&Param=Value2&%E1%88%B4=Value1', creq: { uri: '/', query: '%E1%88%B4=Value1&Param=Value2&Param-3=Value3' }, signature: '371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac' },
  {
    name: 'get-vanilla-query-unreserved', method: 'GET', url: '/?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
    creq: { uri: '/', query: '-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz' },
    signature: '9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197',
  },
  { name: 'get-vanilla-utf8-query', method: 'GET', url: '/?\u1234=bar', creq: { uri: '/', query: '%E1%88%B4=bar' }, signature: '2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04' },
  { name: 'get-unreserved', method: 'GET', url: '/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', creq: { uri: '/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz' }, signature: '07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f' },
  { name: 'get-utf8', method: 'GET', url: '/\u1234', creq: { uri: '/%E1%88%B4' }, signature: '8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85' },
  {
    name: 'get-header-key-duplicate', method: 'GET', url: '/', headers: [['my-header1', 'value2'], ['my-header1', 'value2'], ['my-header1', 'value1']],
    creq: { uri: '/', headers: ['my-header1:value2,value2,value1'] }, signature: 'c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea',
  },
  {
    name: 'get-header-value-multiline', method: 'GET', url: '/', headers: [['my-header1', 'value1\n  value2\n     value3']],
    creq: { uri: '/', headers: ['my-header1:value1 value2 value3'] }, signature: 'cfd34249e4b1c8d6b91ef74165d41a32e5fab3306300901bb65a51a73575eefd',
  },
  {
    name: 'get-header-value-order', method: 'GET', url: '/', headers: [['my-header1', 'value4'], ['my-header1', 'value1'], ['my-header1', 'value3'], ['my-header1', 'value2']],
    creq: { uri: '/', headers: ['my-header1:value4,value1,value3,value2'] }, signature: '08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01',
  },
  {
    name: 'get-header-value-trim', method: 'GET', url: '/', headers: [['my-header1', ' value1'], ['my-header2', ' "a   b   c"']],
    creq: { uri: '/', headers: ['my-header1:value1', 'my-header2:"a b c"'] }, signature: 'acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736',
  },
  { name: 'post-vanilla', method: 'POST', url: '/', creq: { uri: '/' }, signature: '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b' },
  { name: 'post-vanilla-query', method: 'POST', url: '/?Param1=value1', creq: { uri: '/', query: 'Param1=value1' }, signature: '28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11' },
  { name: 'post-header-key-sort', method: 'POST', url: '/', headers: [['my-header1', 'value1']], creq: { uri: '/', headers: ['my-header1:value1'] }, signature: 'c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c' },
  { name: 'post-header-value-case', method: 'POST', url: '/', headers: [['my-header1', 'VALUE1']], creq: { uri: '/', headers: ['my-header1:VALUE1'] }, signature: 'cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d' },
  {
    name: 'post-x-www-form-urlencoded', method: 'POST', url: '/', headers: [['content-type', 'application/x-www-form-urlencoded']], body: 'Param1=value1',
    creq: { uri: '/', headers: ['content-type:application/x-www-form-urlencoded'], payload: formHash }, signature: 'ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a',
  },
  {
    name: 'post-x-www-form-urlencoded-parameters', method: 'POST', url: '/', headers: [['content-type', 'application/x-www-form-urlencoded; charset=utf8']], body: 'Param1=value1',
    creq: { uri: '/', headers: ['content-type:application/x-www-form-urlencoded; charset=utf8'], payload: formHash }, signature: '1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe',
  },
  // normalize-path/
  { name: 'get-relative', method: 'GET', url: '/example/..', creq: { uri: '/' }, signature: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31' },
  { name: 'get-relative-relative', method: 'GET', url: '/example1/example2/../..', creq: { uri: '/' }, signature: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31' },
  { name: 'get-slash', method: 'GET', url: '//', creq: { uri: '/' }, signature: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31' },
  { name: 'get-slash-dot-slash', method: 'GET', url: '/./', creq: { uri: '/' }, signature: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31' },
  { name: 'get-slash-pointless-dot', method: 'GET', url: '/./example', creq: { uri: '/example' }, signature: 'ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5' },
  { name: 'get-slashes', method: 'GET', url: '//example//', creq: { uri: '/example/' }, signature: '9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84' },
  { name: 'get-space', method: 'GET', url: '/example space/', creq: { uri: '/example%20space/' }, signature: '652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741' },
  { name: 'get-special-character', method: 'GET', url: '/example/$delete', creq: { uri: '/example/%24delete' }, signature: 'a853c9b21b528b19643d00910d35b83a10c366a10833ceefb45edd6c80e40f27' },
  // Session tokens: the canonical request and signature are the suite's; Hopper refuses the token itself.
  {
    name: 'get-vanilla-with-session-token', method: 'GET', url: '/', headers: [['x-amz-security-token', '6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267']],
    creq: { uri: '/', headers: ['x-amz-security-token:6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267'] }, signature: '07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8',
  },
  { name: 'post-sts-header-before', method: 'POST', url: '/', headers: [['x-amz-security-token', token]], creq: { uri: '/', headers: [`x-amz-security-token:${token}`] }, signature: '85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead' },
];

function build(c: Case) {
  const headers: Record<string, string[]> = { host: [host], 'x-amz-date': [when] };
  for (const [n, v] of c.headers ?? []) (headers[n] ??= []).push(v);
  const signedHeaders = Object.keys(headers).sort();
  return { headers, signedHeaders, body: Buffer.from(c.body ?? '', 'utf8') };
}

for (const c of cases) {
  test(`AWS SigV4 test suite: ${c.name}`, () => {
    const { headers, signedHeaders, body } = build(c);
    const q = c.url.indexOf('?');
    const expected = [
      c.method,
      c.creq.uri,
      c.creq.query ?? '',
      ...[`host:${host}`, ...(c.creq.headers ?? []), `x-amz-date:${when}`].sort(),
      '',
      signedHeaders.join(';'),
      c.creq.payload ?? emptyBodySha256,
    ].join('\n');
    const got = canonicalRequest({
      method: c.method,
      canonicalUri: canonicalUri(q < 0 ? c.url : c.url.slice(0, q)),
      canonicalQuery: canonicalQueryString(canonicalParams(q < 0 ? '' : c.url.slice(q + 1))),
      signedHeaders,
      headerValues: signedHeaders.map((h) => canonicalHeaderValue(headers[h])),
      payloadHash: body.length === 0 ? emptyBodySha256 : sha256Hex(body),
    });
    assert.equal(got, expected);

    const authorization = `AWS4-HMAC-SHA256 Credential=${id}/20150830/us-east-1/service/aws4_request, SignedHeaders=${signedHeaders.join(';')}, Signature=${c.signature}`;
    const r = verifySigV4({ method: c.method, url: c.url, headers: { ...headers, authorization }, body }, keys, nowMs, { service: 'service', cache: new SigningKeyCache() });
    if (headers['x-amz-security-token'] !== undefined) {
      assert.equal(r.ok ? 'ok' : r.code, 'InvalidClientTokenId');
      return;
    }
    assert.deepEqual(r, { ok: true, user: 'suite', accessKeyId: id, accountId: '000000000000', region: 'us-east-1', service: 'service', presigned: false });
    // One changed hex digit of the published signature fails.
    const bad = authorization.replace(/Signature=(.)/, (_, d: string) => `Signature=${d === '0' ? '1' : '0'}`);
    const r2 = verifySigV4({ method: c.method, url: c.url, headers: { ...headers, authorization: bad }, body }, keys, nowMs, { service: 'service' });
    assert.equal(r2.ok ? 'ok' : r2.code, 'SignatureDoesNotMatch');
  });
}
