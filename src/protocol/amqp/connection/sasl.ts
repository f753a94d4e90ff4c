/**
 * SASL mechanisms offered in connection.start: PLAIN (RFC 4616: authzid NUL authcid NUL
 * password) and AMQPLAIN (a field table without its length prefix, holding LOGIN and PASSWORD).
 * Parsing only: the broker's AccessControl checks the credentials (at connection.open, where
 * the vhost is known). A response that does not parse is a refused login (403), as RabbitMQ
 * answers it.
 */
import { readTable } from '../codec/field-table-read.js';
import { Reader } from '../codec/reader.js';
import { ReplyCode } from '../codec/reply-codes.js';
import { AmqpError, connectionError } from '../mapping/errors.js';

export const supportedMechanisms = ['PLAIN', 'AMQPLAIN'] as const;
export type Mechanism = (typeof supportedMechanisms)[number];

export interface Credentials {
  user: string;
  password: string;
}

/** Longest response accepted: the frame limit before tune already caps it near 8 KiB. */
const RESPONSE_MAX_BYTES = 8192;

export function isSupportedMechanism(m: string): m is Mechanism {
  return (supportedMechanisms as readonly string[]).includes(m);
}

export function parseResponse(mechanism: Mechanism, response: Buffer): Credentials {
  if (response.length > RESPONSE_MAX_BYTES) throw refused(mechanism);
  return mechanism === 'PLAIN' ? parsePlain(response) : parseAmqplain(response);
}

function parsePlain(b: Buffer): Credentials {
  const first = b.indexOf(0);
  const second = first < 0 ? -1 : b.indexOf(0, first + 1);
  if (second < 0) throw refused('PLAIN');
  return { user: b.subarray(first + 1, second).toString('utf8'), password: b.subarray(second + 1).toString('utf8') };
}

function parseAmqplain(b: Buffer): Credentials {
  const framed = Buffer.allocUnsafe(4 + b.length);
  framed.writeUInt32BE(b.length, 0);
  b.copy(framed, 4);
  let table;
  try {
    const r = new Reader(framed, 0, framed.length);
    table = readTable(r, { depthMax: 2, tableBytesMax: RESPONSE_MAX_BYTES });
  } catch {
    throw refused('AMQPLAIN');
  }
  const login = table['LOGIN'];
  const password = table['PASSWORD'];
  const text = (v: typeof login) => (v?.type === 'string' ? v.value : v?.type === 'bytes' ? v.value.toString('utf8') : undefined);
  const user = text(login);
  const pass = text(password);
  if (user === undefined || pass === undefined) throw refused('AMQPLAIN');
  return { user, password: pass };
}

export function refused(mechanism: string): AmqpError {
  return connectionError(ReplyCode.ACCESS_REFUSED, `Login was refused using authentication mechanism ${mechanism}. For details see the broker logfile.`);
}
