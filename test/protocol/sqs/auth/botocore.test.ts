// Requests signed by botocore (the signer of awscli and boto3, Debian's python3-botocore) over a
// real socket: the query protocol's form body, the JSON protocol, and a presigned URL. Skips,
// saying so, where botocore is not installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySigV4, type AccessKeyLookup, type SigV4Result } from '../../../../src/protocol/sqs/auth/verify.js';
import { findPython } from '../../../helpers/python.js';

const python = findPython('botocore.auth');
const keys: AccessKeyLookup = { accessKey: (id) => (id === 'guest' ? { secretAccessKey: 'guest', user: 'guest', accountId: '000000000000' } : undefined) };

// Signs with botocore and sends with urllib; prints each response body on a line.
const script = `
import sys, urllib.request
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
base = sys.argv[1]
good = Credentials('guest', 'guest')
bad = Credentials('guest', 'not-guest')
def send(req):
    p = req.prepare()
    body = p.body.encode() if isinstance(p.body, str) else p.body
    r = urllib.request.Request(p.url, data=body, headers=dict(p.headers), method=p.method)
    with urllib.request.urlopen(r) as resp:
        print(resp.read().decode())
def form(creds):
    req = AWSRequest(method='POST', url=base + '/000000000000/orders',
        data={'Action': 'SendMessage', 'Version': '2012-11-05', 'MessageBody': 'h\\u00e9llo & = + / ~ *'},
        headers={'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8'})
    SigV4Auth(creds, 'sqs', 'us-west-2').add_auth(req)
    send(req)
form(good)
form(bad)
req = AWSRequest(method='POST', url=base + '/', data=b'{"QueueNamePrefix":"a b"}',
    headers={'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'AmazonSQS.ListQueues'})
SigV4Auth(good, 'sqs', 'us-west-2').add_auth(req)
send(req)
req = AWSRequest(method='GET', url=base + '/', params={'Action': 'ListQueues', 'QueueNamePrefix': 'a b+c'})
SigV4QueryAuth(good, 'sqs', 'us-west-2', expires=120).add_auth(req)
send(req)
`;

test('botocore-signed requests verify; a wrong secret fails', { skip: python === null ? 'python3 with botocore not found (apt-get install python3-botocore)' : false }, async (t) => {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => res.end(JSON.stringify(verifySigV4({ method: req.method!, url: req.url!, headers: req.headersDistinct, body: Buffer.concat(chunks) }, keys, Date.now()))));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const out = await new Promise<string>((resolve, reject) =>
    execFile(python!, ['-c', script, base], { timeout: 60_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
  );
  const results = out.trim().split('\n').map((l) => JSON.parse(l) as SigV4Result);
  assert.deepEqual(results.map((r) => (r.ok ? `ok ${r.region} presigned=${r.presigned}` : r.code)), [
    'ok us-west-2 presigned=false',
    'SignatureDoesNotMatch',
    'ok us-west-2 presigned=false',
    'ok us-west-2 presigned=true',
  ]);
});
