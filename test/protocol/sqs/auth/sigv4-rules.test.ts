// The time rules at their exact boundaries, the bounds on work per request, and the signing-key
// cache, calling verifySigV4 directly with requests signed by the AWS SDK's signer at a fixed time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { SigningKeyCache } from '../../../../src/protocol/sqs/auth/signing-key.js';
import { parseAmzDate, verifySigV4, type AccessKeyLookup, type SigV4Request, type SigV4Result } from '../../../../src/protocol/sqs/auth/verify.js';

const store = new Map<string, string>([['HKIARULESRULESRULES0', 'secret-one']]);
const keys: AccessKeyLookup = { accessKey: (id) => (store.has(id) ? { secretAccessKey: store.get(id)!, user: 'bob', accountId: '000000000000' } : undefined) };
const signedAt = new Date('2024-02-29T23:59:30Z');
const t0 = signedAt.getTime();
const minute = 60_000;

function signer(secretAccessKey = 'secret-one'): SignatureV4 {
  return new SignatureV4({ credentials: { accessKeyId: 'HKIARULESRULESRULES0', secretAccessKey }, region: 'us-east-1', service: 'sqs', sha256: Sha256, applyChecksum: false });
}

const base = () =>
  new HttpRequest({ method: 'POST', protocol: 'http:', hostname: 'localhost', port: 9324, path: '/', headers: { host: 'localhost:9324', 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' }, body: '{}' });

function wire(h: HttpRequest): SigV4Request {
  const q = Object.entries(h.query as Record<string, string>).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  return { method: h.method, url: q === '' ? h.path : `${h.path}?${q}`, headers: h.headers as Record<string, string>, body: Buffer.from((h.body as string | undefined) ?? '') };
}

const code = (r: SigV4Result) => (r.ok ? 'ok' : r.code);

test('clock skew: exactly 15 minutes either way passes, one second more fails as SignatureDoesNotMatch', async () => {
  const req = wire((await signer().sign(base(), { signingDate: signedAt })) as HttpRequest);
  assert.equal(code(verifySigV4(req, keys, t0)), 'ok');
  assert.equal(code(verifySigV4(req, keys, t0 + 15 * minute)), 'ok', 'request 15 min old');
  assert.equal(code(verifySigV4(req, keys, t0 + 15 * minute + 1000)), 'SignatureDoesNotMatch', 'request 15 min 1 s old');
  assert.equal(code(verifySigV4(req, keys, t0 - 15 * minute)), 'ok', 'request 15 min ahead');
  assert.equal(code(verifySigV4(req, keys, t0 - 15 * minute - 1000)), 'SignatureDoesNotMatch', 'request 15 min 1 s ahead');
  const late = verifySigV4(req, keys, t0 + 15 * minute + 1000);
  assert.deepEqual(late, {
    ok: false,
    code: 'SignatureDoesNotMatch',
    status: 403,
    message: 'Signature expired: 20240229T235930Z is now earlier than 20240229T235931Z (20240301T001431Z - 15 min.)',
  });
  // The scope date is the signing day even when the request arrives the next day (leap day here).
  assert.match(req.headers.authorization as string, /\/20240229\/us-east-1\/sqs\/aws4_request/);
});

test('presigned URLs: valid until X-Amz-Date + X-Amz-Expires, then RequestExpired; not before X-Amz-Date - 15 min', async () => {
  const req = wire((await signer().presign(base(), { signingDate: signedAt, expiresIn: 60 })) as HttpRequest);
  assert.equal(code(verifySigV4(req, keys, t0 + 60_000)), 'ok');
  const expired = verifySigV4(req, keys, t0 + 61_000);
  assert.equal(code(expired), 'RequestExpired');
  assert.equal(!expired.ok && expired.status, 400);
  assert.equal(code(verifySigV4(req, keys, t0 - 15 * minute)), 'ok');
  assert.equal(code(verifySigV4(req, keys, t0 - 15 * minute - 1000)), 'SignatureDoesNotMatch');
  // A week is the longest lifetime (the SDK refuses more; a hand-made URL is refused before hashing).
  const week = wire((await signer().presign(base(), { signingDate: signedAt, expiresIn: 604800 })) as HttpRequest);
  assert.equal(code(verifySigV4(week, keys, t0 + 604800_000)), 'ok');
  const tooLong = { ...week, url: week.url.replace('X-Amz-Expires=604800', 'X-Amz-Expires=604801') };
  assert.equal(code(verifySigV4(tooLong, keys, t0)), 'IncompleteSignature');
});

test('malformed dates and scopes', async () => {
  const req = wire((await signer().sign(base(), { signingDate: signedAt })) as HttpRequest);
  const h = req.headers as Record<string, string>;
  const withHeader = (k: string, v: string): SigV4Request => ({ ...req, headers: { ...h, [k]: v } });
  assert.equal(code(verifySigV4(withHeader('x-amz-date', '2024-02-29T23:59:30Z'), keys, t0)), 'IncompleteSignature');
  assert.equal(code(verifySigV4(withHeader('x-amz-date', '20240230T000000Z'), keys, t0)), 'IncompleteSignature', 'no 30 February');
  const noDate = { ...req, headers: { ...h } };
  delete (noDate.headers as Record<string, string>)['x-amz-date'];
  assert.equal(code(verifySigV4(noDate, keys, t0)), 'IncompleteSignature');
  const auth = h.authorization!;
  assert.equal(code(verifySigV4(withHeader('authorization', auth.replace('/20240229/', '/20240228/')), keys, t0)), 'SignatureDoesNotMatch', 'scope date ≠ X-Amz-Date');
  assert.equal(code(verifySigV4(withHeader('authorization', auth.replace('aws4_request', 'aws5_request')), keys, t0)), 'SignatureDoesNotMatch');
  assert.equal(code(verifySigV4(withHeader('authorization', auth.replace('us-east-1', 'US_EAST')), keys, t0)), 'SignatureDoesNotMatch');
  assert.equal(code(verifySigV4(withHeader('authorization', auth.replace(/Signature=[0-9a-f]+/, 'Signature=XYZ')), keys, t0)), 'SignatureDoesNotMatch');
  assert.equal(code(verifySigV4(withHeader('authorization', auth.replace('SignedHeaders=', 'SignedHeaders=Content-Type;')), keys, t0)), 'IncompleteSignature');
  assert.equal(code(verifySigV4(withHeader('authorization', auth.replace(/SignedHeaders=[^,]+/, 'SignedHeaders=content-type;x-amz-date')), keys, t0)), 'IncompleteSignature', 'host must be signed');
  assert.equal(code(verifySigV4({ ...req, headers: { ...h, authorization: [auth, auth] } }, keys, t0)), 'IncompleteSignature', 'two Authorization headers');
});

test('work is bounded before hashing: header count, header and query sizes', async () => {
  const req = wire((await signer().sign(base(), { signingDate: signedAt })) as HttpRequest);
  const h = req.headers as Record<string, string>;
  const many = Array.from({ length: 65 }, (_, i) => `x-h${String(i).padStart(2, '0')}`);
  const tooMany = { ...req, headers: { ...h, authorization: h.authorization!.replace(/SignedHeaders=[^,]+/, `SignedHeaders=host;${many.join(';')}`) } };
  assert.equal(code(verifySigV4(tooMany, keys, t0)), 'IncompleteSignature');
  const longAuth = { ...req, headers: { ...h, authorization: h.authorization + ' '.repeat(5000) } };
  assert.equal(code(verifySigV4(longAuth, keys, t0)), 'IncompleteSignature');
  const bigHeader = wire((await signer().sign(new HttpRequest({ ...base(), headers: { ...base().headers, 'x-big': 'y'.repeat(70_000) } }), { signingDate: signedAt })) as HttpRequest);
  assert.equal(code(verifySigV4(bigHeader, keys, t0)), 'IncompleteSignature');
  assert.equal(code(verifySigV4(bigHeader, keys, t0, { limits: { signedHeaderBytesMax: 100_000 } })), 'ok', 'the same request within a raised limit');
  assert.equal(code(verifySigV4({ ...req, url: '/?' + 'a=1&'.repeat(5000) }, keys, t0)), 'IncompleteSignature');
  assert.equal(code(verifySigV4({ ...req, url: '/' + 'p'.repeat(9000) }, keys, t0)), 'IncompleteSignature');
});

test('derived signing keys are cached per key, day, region and service; a new secret for the same id misses', async () => {
  const cache = new SigningKeyCache(2);
  const req = wire((await signer().sign(base(), { signingDate: signedAt })) as HttpRequest);
  assert.equal(code(verifySigV4(req, keys, t0, { cache })), 'ok');
  assert.equal(code(verifySigV4(req, keys, t0, { cache })), 'ok');
  assert.equal(cache.size, 1);
  // The key is deleted and made again with the same id and another secret.
  store.set('HKIARULESRULESRULES0', 'secret-two');
  try {
    assert.equal(code(verifySigV4(req, keys, t0, { cache })), 'SignatureDoesNotMatch', 'the old secret no longer works');
    const again = wire((await signer('secret-two').sign(base(), { signingDate: signedAt })) as HttpRequest);
    assert.equal(code(verifySigV4(again, keys, t0, { cache })), 'ok');
  } finally {
    store.set('HKIARULESRULESRULES0', 'secret-one');
  }
  // Bounded: other days push the oldest entries out.
  for (const day of [1, 2, 3]) {
    const d = new Date(t0 + day * 86_400_000);
    const r = wire((await signer().sign(base(), { signingDate: d })) as HttpRequest);
    assert.equal(code(verifySigV4(r, keys, d.getTime(), { cache })), 'ok');
  }
  assert.equal(cache.size, 2);
});

test('parseAmzDate accepts only real ISO 8601 basic dates', () => {
  assert.equal(parseAmzDate('20150830T123600Z'), Date.UTC(2015, 7, 30, 12, 36, 0));
  for (const bad of ['20150830T123600', '2015-08-30T12:36:00Z', '20151301T000000Z', '20150830T246000Z', '20150830T123600z', '']) {
    assert.ok(Number.isNaN(parseAmzDate(bad)), bad);
  }
});
