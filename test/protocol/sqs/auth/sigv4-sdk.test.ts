// Requests signed by the AWS SDK for JavaScript v3's own signer (@smithy/signature-v4, the one
// @aws-sdk/client-sqs uses), sent over a real socket to a node:http server that verifies them
// as the SQS endpoint will (req.url, req.headersDistinct, the body). Then each part of a signed
// request is changed, and the exact AWS error checked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { SigningKeyCache } from '../../../../src/protocol/sqs/auth/signing-key.js';
import { verifySigV4, type AccessKeyLookup, type SigV4Result } from '../../../../src/protocol/sqs/auth/verify.js';

const secret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const keys: AccessKeyLookup = {
  accessKey: (id) => (id === 'HKIATESTTESTTESTTEST' ? { secretAccessKey: secret, user: 'alice', accountId: '123456789012' } : undefined),
};
const cache = new SigningKeyCache();

let server: Server;
let port = 0;

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = verifySigV4({ method: req.method!, url: req.url!, headers: req.headersDistinct, body: Buffer.concat(chunks) }, keys, Date.now(), { cache });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(r));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

function signer(o: { secretAccessKey?: string; accessKeyId?: string; region?: string; service?: string; applyChecksum?: boolean; sessionToken?: string } = {}): SignatureV4 {
  return new SignatureV4({
    credentials: { accessKeyId: o.accessKeyId ?? 'HKIATESTTESTTESTTEST', secretAccessKey: o.secretAccessKey ?? secret, ...(o.sessionToken ? { sessionToken: o.sessionToken } : {}) },
    region: o.region ?? 'eu-west-3',
    service: o.service ?? 'sqs',
    sha256: Sha256,
    applyChecksum: o.applyChecksum ?? false,
  });
}

interface Req {
  method: string;
  path: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string;
}

function httpRequest(r: Req): HttpRequest {
  return new HttpRequest({
    method: r.method,
    protocol: 'http:',
    hostname: '127.0.0.1',
    port,
    path: r.path,
    query: r.query ?? {},
    headers: { host: `127.0.0.1:${port}`, ...(r.headers ?? {}) },
    ...(r.body !== undefined ? { body: r.body } : {}),
  });
}

// RFC 3986 percent-encoding, as the SDK's HTTP handlers build query strings.
const escape = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
function queryString(q: Record<string, string | string[] | null>): string {
  const parts: string[] = [];
  for (const k of Object.keys(q)) {
    const v = q[k];
    if (v === null || v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) parts.push(`${escape(k)}=${escape(one)}`);
  }
  return parts.join('&');
}

interface Wire {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

function toWire(h: HttpRequest, body?: string): Wire {
  const qs = queryString(h.query as Record<string, string | string[] | null>);
  return { method: h.method, url: qs === '' ? h.path : `${h.path}?${qs}`, headers: { ...(h.headers as Record<string, string>) }, body: body ?? (h.body as string | undefined) ?? '' };
}

function send(w: Wire): Promise<SigV4Result> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: w.method, path: w.url, headers: { ...w.headers, 'content-length': String(Buffer.byteLength(w.body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as SigV4Result));
    });
    req.on('error', reject);
    req.end(w.body);
  });
}

async function signed(r: Req, s = signer(), opts: { signingDate?: Date } = {}): Promise<Wire> {
  return toWire((await s.sign(httpRequest(r), opts)) as HttpRequest, r.body);
}

async function presigned(r: Req, expiresIn = 300, s = signer()): Promise<Wire> {
  return toWire((await s.presign(httpRequest(r), { expiresIn })) as HttpRequest, r.body);
}

const code = (r: SigV4Result) => (r.ok ? 'ok' : `${r.code} ${r.status}`);

const jsonSend: Req = {
  method: 'POST',
  path: '/',
  headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessage', 'x-amz-user-agent': 'aws-sdk-js/3' },
  body: JSON.stringify({ QueueUrl: 'http://127.0.0.1/123456789012/orders', MessageBody: 'héllo wörld ✓ "quoted" & <b>' }),
};
const formSend: Req = {
  method: 'POST',
  path: '/123456789012/orders',
  headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
  body: 'Action=SendMessage&Version=2012-11-05&MessageBody=a+b%20c%26d%3De%2B%C3%A9',
};
const oddQuery: Req = {
  method: 'GET',
  path: '/123456789012/my-queue.fifo',
  query: {
    Action: 'ReceiveMessage',
    'Attribute Name.1': "a b+c/d~e*f'(ü)!:@=&?#",
    MessageAttributeName: ['z', 'a', 'All'],
    Empty: '',
    Unicode: '日本語',
  },
};

test('SDK-signed requests verify: JSON and form bodies, GET with awkward query, queue URL paths', async () => {
  for (const r of [jsonSend, formSend, oddQuery, { method: 'GET', path: '/' }]) {
    const res = await send(await signed(r));
    assert.deepEqual(res, { ok: true, user: 'alice', accessKeyId: 'HKIATESTTESTTESTTEST', accountId: '123456789012', region: 'eu-west-3', service: 'sqs', presigned: false }, `${r.method} ${r.path}`);
  }
  // The region is the credential scope's.
  const res = await send(await signed(jsonSend, signer({ region: 'ap-southeast-2' })));
  assert.equal(res.ok && res.region, 'ap-southeast-2');
});

test('x-amz-content-sha256: a signed digest must match the body; UNSIGNED-PAYLOAD leaves the body out', async () => {
  const withDigest = await signed(jsonSend, signer({ applyChecksum: true }));
  assert.match(withDigest.headers['x-amz-content-sha256'] ?? '', /^[0-9a-f]{64}$/);
  assert.equal(code(await send(withDigest)), 'ok');
  const tampered = { ...withDigest, body: withDigest.body.replace('wörld', 'world') };
  const r = await send(tampered);
  assert.equal(code(r), 'SignatureDoesNotMatch 403');
  assert.match(!r.ok ? r.message : '', /x-amz-content-sha256/);

  const unsigned = await signed({ ...jsonSend, headers: { ...jsonSend.headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
  assert.equal(code(await send(unsigned)), 'ok');
  assert.equal(code(await send({ ...unsigned, body: '{"other":"body"}' })), 'ok', 'the client chose not to sign the body');
});

test('presigned URLs verify (GET, and POST with a body) and expire', async () => {
  const get = await presigned(oddQuery);
  assert.match(get.url, /X-Amz-Signature=/);
  assert.equal(get.headers.authorization, undefined);
  const r = await send(get);
  assert.equal(r.ok && r.presigned, true);
  assert.equal(code(await send(await presigned(formSend))), 'ok');
  // Changing any query parameter breaks it.
  assert.equal(code(await send({ ...get, url: get.url.replace('Action=ReceiveMessage', 'Action=PurgeQueue') })), 'SignatureDoesNotMatch 403');
  // A body the presigner did not sign is refused.
  assert.equal(code(await send({ ...get, method: 'GET', body: 'Action=DeleteQueue' })), 'SignatureDoesNotMatch 403');
  // Both auth forms at once.
  assert.equal(code(await send({ ...get, headers: { ...get.headers, authorization: (await signed(oddQuery)).headers.authorization! } })), 'IncompleteSignature 400');
});

test('each part of a signed request, changed, fails with the exact AWS error', async () => {
  const good = await signed(jsonSend);
  const auth = good.headers.authorization!;
  const cases: [string, Wire | Promise<Wire>, string][] = [
    ['wrong secret', signed(jsonSend, signer({ secretAccessKey: secret.replace('K7', 'K8') })), 'SignatureDoesNotMatch 403'],
    ['unknown access key', signed(jsonSend, signer({ accessKeyId: 'HKIANOSUCHKEYNOSUCH0' })), 'InvalidClientTokenId 403'],
    ['session token (temporary credentials)', signed(jsonSend, signer({ sessionToken: 'FwoGZXIvYXdzEJr' })), 'InvalidClientTokenId 403'],
    ['a signed header', { ...good, headers: { ...good.headers, 'x-amz-target': 'AmazonSQS.PurgeQueue' } }, 'SignatureDoesNotMatch 403'],
    ['the body', { ...good, body: good.body.replace('héllo', 'hello') }, 'SignatureDoesNotMatch 403'],
    ['the date', { ...good, headers: { ...good.headers, 'x-amz-date': good.headers['x-amz-date']!.replace(/(\d)Z$/, (_, d: string) => `${(Number(d) + 1) % 10}Z`) } }, 'SignatureDoesNotMatch 403'],
    ['the region in the scope', { ...good, headers: { ...good.headers, authorization: auth.replace('/eu-west-3/', '/eu-west-1/') } }, 'SignatureDoesNotMatch 403'],
    ['the service in the scope', signed(jsonSend, signer({ service: 'sns' })), 'SignatureDoesNotMatch 403'],
    ['the query', { ...good, url: '/?x=1' }, 'SignatureDoesNotMatch 403'],
    ['the path', { ...good, url: '/123456789012/orders' }, 'SignatureDoesNotMatch 403'],
    ['the method', { ...good, method: 'PUT' }, 'SignatureDoesNotMatch 403'],
    ['the host', { ...good, headers: { ...good.headers, host: 'sqs.example.com' } }, 'SignatureDoesNotMatch 403'],
    ['no authentication', { ...good, headers: { host: good.headers.host!, 'content-type': 'application/x-amz-json-1.0' } }, 'MissingAuthenticationToken 403'],
    ['Authorization without Signature', { ...good, headers: { ...good.headers, authorization: auth.replace(/, Signature=.*$/, '') } }, 'IncompleteSignature 400'],
    ['Authorization with a short credential', { ...good, headers: { ...good.headers, authorization: auth.replace('/sqs/aws4_request', '/sqs') } }, 'IncompleteSignature 400'],
    ['Authorization that is garbage', { ...good, headers: { ...good.headers, authorization: 'Bearer abc' } }, 'IncompleteSignature 400'],
    ['Signature Version 2', { ...good, headers: { host: good.headers.host! }, url: '/?Action=ListQueues&AWSAccessKeyId=x&SignatureVersion=2&SignatureMethod=HmacSHA256&Signature=abc' }, 'InvalidSecurity 403'],
    ['SigV4a', { ...good, headers: { ...good.headers, authorization: auth.replace('AWS4-HMAC-SHA256', 'AWS4-ECDSA-P256-SHA256') } }, 'InvalidSecurity 403'],
    ['clock an hour behind', signed(jsonSend, signer(), { signingDate: new Date(Date.now() - 3600_000) }), 'SignatureDoesNotMatch 403'],
    ['clock an hour ahead', signed(jsonSend, signer(), { signingDate: new Date(Date.now() + 3600_000) }), 'SignatureDoesNotMatch 403'],
  ];
  for (const [what, w, expected] of cases) assert.equal(code(await send(await w)), expected, what);
  // And the unchanged request still passes.
  assert.equal(code(await send(good)), 'ok');
});

test('a skewed clock gets the message SQS sends, which names both times', async () => {
  const r = await send(await signed(jsonSend, signer(), { signingDate: new Date(Date.now() - 3600_000) }));
  assert.match(!r.ok ? r.message : '', /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
  const f = await send(await signed(jsonSend, signer(), { signingDate: new Date(Date.now() + 3600_000) }));
  assert.match(!f.ok ? f.message : '', /^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 15 min\.\)$/);
});
