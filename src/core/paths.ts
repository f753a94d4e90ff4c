/**
 * Where each object lives under the data directory. Object names may hold any UTF-8 (AMQP allows
 * '/', '..', spaces), so folder names are an escaped form: [A-Za-z0-9_-] kept, every other
 * byte written as %XX. The result never contains '/', never starts with '.', and is unique
 * per name. A per-object id (from the catalogue) is appended so that a deleted object's files
 * never mix with a new object of the same name.
 *
 *   <dataDir>/catalogue.json
 *   <dataDir>/vhosts/<vhost>/queues/<queue>.<id>/
 *   <dataDir>/vhosts/<vhost>/topics/<topic>.<id>/<partition>/
 *   <dataDir>/vhosts/<vhost>/group-offsets/
 */
import { join } from 'node:path';

export function escapeName(name: string): string {
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_-]/.test(c) ? c : '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out === '' ? '%' : out;
}

export const paths = {
  catalogue: (dataDir: string) => join(dataDir, 'catalogue.json'),
  vhost: (dataDir: string, vhost: string) => join(dataDir, 'vhosts', escapeName(vhost)),
  queue: (dataDir: string, vhost: string, name: string, id: string) => join(dataDir, 'vhosts', escapeName(vhost), 'queues', `${escapeName(name)}.${id}`),
  topic: (dataDir: string, vhost: string, name: string, id: string) => join(dataDir, 'vhosts', escapeName(vhost), 'topics', `${escapeName(name)}.${id}`),
  groupOffsets: (dataDir: string, vhost: string) => join(dataDir, 'vhosts', escapeName(vhost), 'group-offsets'),
};
