/**
 * The digests SQS returns and the SDKs verify: MD5 of the body's UTF-8, and MD5 of message
 * (or system) attributes in AWS's documented binary form: attributes sorted by name, each as
 * name, data type (both 4-byte big-endian length + UTF-8), a transport byte (1 String/Number,
 * 2 Binary) and the value (4-byte length + UTF-8 or raw bytes).
 */
import { createHash } from 'node:crypto';
import type { SqsAttributeValue } from './message-attributes.js';

export function md5Hex(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

export function md5OfAttributes(attrs: Readonly<Record<string, SqsAttributeValue>>): string {
  const h = createHash('md5');
  const len = Buffer.allocUnsafe(4);
  const field = (b: Buffer): void => {
    len.writeUInt32BE(b.length, 0);
    h.update(len);
    h.update(b);
  };
  for (const name of Object.keys(attrs).sort(byCodePoint)) {
    const a = attrs[name]!;
    field(Buffer.from(name, 'utf8'));
    field(Buffer.from(a.DataType, 'utf8'));
    if (a.BinaryValue !== undefined) {
      h.update(Buffer.of(2));
      field(a.BinaryValue);
    } else {
      h.update(Buffer.of(1));
      field(Buffer.from(a.StringValue ?? '', 'utf8'));
    }
  }
  return h.digest('hex');
}

/** AWS sorts names as Java strings compare: by UTF-16 code unit, which is JS's default order. */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
