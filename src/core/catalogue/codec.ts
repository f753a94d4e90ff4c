/**
 * The catalogue file format (version 1): one header line, then the body.
 *
 *   {"format":"hopper-catalogue","version":1,"generation":7,"bodyBytes":1234,"bodySha256":"…"}\n
 *   {"vhosts":[…],"exchanges":[…],"queues":[…],"topics":[…],"bindings":[…],
 *    "policies":[…],"users":[…],"permissions":[…],"accessKeys":[…],…}
 *
 * The length and digest catch a truncated or damaged file that might still parse as JSON;
 * `generation` counts saves. Decoding validates every field: a file that fails is refused, never
 * half-loaded.
 */
import { createHash } from 'node:crypto';
import type { PasswordHash } from '../auth/password.js';
import { scramMechanisms, type ScramCredential, type ScramCredentials } from '../auth/scram.js';
import type { AccessKeyRecord, PermissionRecord, UserRecord } from '../auth/types.js';
import type { Destination } from '../exchange/destination.js';
import { decodeArguments, encodeArguments, ShapeError, type JsonValue } from './typed-json.js';
import { policyApplyTos, type BindingDef, type BrokerConfigsDef, type ClientQuotaDef, type ExchangeDef, type GroupConfigsDef, type PolicyApplyTo, type PolicyDef, type QueueDef, type TopicDef, type VhostDef } from './types.js';

export const catalogueFormat = 'hopper-catalogue';
export const catalogueVersion = 1;

export interface CatalogueSnapshot {
  vhosts: VhostDef[];
  exchanges: ExchangeDef[];
  queues: QueueDef[];
  topics: TopicDef[];
  bindings: BindingDef[];
  policies: PolicyDef[];
  users: UserRecord[];
  permissions: PermissionRecord[];
  /** Absent in files written before SQS access keys were kept. */
  accessKeys?: AccessKeyRecord[];
  /** Absent in files written before Kafka's dynamic broker configs and client quotas were kept. */
  brokerConfigs?: BrokerConfigsDef;
  clientQuotas?: ClientQuotaDef[];
  /** Absent in files written before Kafka's group configs were kept. */
  groupConfigs?: GroupConfigsDef[];
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export function encodeCatalogue(s: CatalogueSnapshot, generation: number): Buffer {
  const body = Buffer.from(
    JSON.stringify({
      vhosts: s.vhosts,
      exchanges: s.exchanges.map((x) => ({ ...x, arguments: encodeArguments(x.arguments) })),
      queues: s.queues.map((q) => ({
        ...q,
        arguments: encodeArguments(q.arguments),
        declaredArguments: q.declaredArguments === undefined ? undefined : encodeArguments(q.declaredArguments),
      })),
      topics: s.topics,
      bindings: s.bindings.map((b) => ({ ...b, arguments: encodeArguments(b.arguments) })),
      policies: s.policies,
      users: s.users,
      permissions: s.permissions,
      accessKeys: s.accessKeys,
      brokerConfigs: s.brokerConfigs,
      clientQuotas: s.clientQuotas,
      groupConfigs: s.groupConfigs,
    }),
    'utf8',
  );
  const header = JSON.stringify({ format: catalogueFormat, version: catalogueVersion, generation, bodyBytes: body.length, bodySha256: sha256(body) });
  return Buffer.concat([Buffer.from(header + '\n', 'utf8'), body]);
}

// ---- field readers: each names the path of what is wrong ----

type Obj = Record<string, unknown>;

function obj(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ShapeError(path, 'not an object');
  return v as Obj;
}
function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw new ShapeError(path, 'not an array');
  return v;
}
function str(o: Obj, k: string, path: string): string {
  if (typeof o[k] !== 'string') throw new ShapeError(`${path}.${k}`, 'not a string');
  return o[k] as string;
}
function bool(o: Obj, k: string, path: string): boolean {
  if (typeof o[k] !== 'boolean') throw new ShapeError(`${path}.${k}`, 'not a boolean');
  return o[k] as boolean;
}
function int(o: Obj, k: string, path: string): number {
  if (!Number.isSafeInteger(o[k])) throw new ShapeError(`${path}.${k}`, 'not an integer');
  return o[k] as number;
}
function strings(o: Obj, k: string, path: string): string[] {
  return arr(o[k], `${path}.${k}`).map((s, i) => {
    if (typeof s !== 'string') throw new ShapeError(`${path}.${k}[${i}]`, 'not a string');
    return s;
  });
}
function list<T>(body: Obj, k: string, read: (o: Obj, path: string) => T): T[] {
  return arr(body[k], k).map((v, i) => read(obj(v, `${k}[${i}]`), `${k}[${i}]`));
}

const destinationKinds: readonly string[] = ['queue', 'exchange', 'topic'];

function destination(v: unknown, path: string): Destination {
  const o = obj(v, path);
  const kind = str(o, 'kind', path);
  if (!destinationKinds.includes(kind)) throw new ShapeError(`${path}.kind`, `unknown kind ${JSON.stringify(kind)}`);
  return { kind: kind as Destination['kind'], name: str(o, 'name', path) };
}

function passwordHash(v: unknown, path: string): PasswordHash | null {
  if (v === null) return null;
  const o = obj(v, path);
  if (o.algorithm !== 'scrypt') throw new ShapeError(`${path}.algorithm`, 'unknown algorithm');
  return { algorithm: 'scrypt', N: int(o, 'N', path), r: int(o, 'r', path), p: int(o, 'p', path), salt: str(o, 'salt', path), hash: str(o, 'hash', path) };
}

/** Optional (absent in records written before SCRAM support); unknown mechanisms are refused. */
function scramCredentials(v: unknown, path: string): ScramCredentials | undefined {
  if (v === undefined) return undefined;
  const o = obj(v, path);
  const out: Partial<Record<string, ScramCredential>> = {};
  for (const m of Object.keys(o)) {
    if (!(scramMechanisms as readonly string[]).includes(m)) throw new ShapeError(`${path}.${m}`, 'unknown mechanism');
    const c = obj(o[m], `${path}.${m}`);
    const p = `${path}.${m}`;
    out[m] = { salt: str(c, 'salt', p), iterations: int(c, 'iterations', p), storedKey: str(c, 'storedKey', p), serverKey: str(c, 'serverKey', p) };
  }
  return out as ScramCredentials;
}

function stringRecord(v: unknown, path: string): Record<string, string> {
  const o = obj(v, path);
  return Object.fromEntries(Object.keys(o).map((k) => [k, str(o, k, path)]));
}

function clientQuota(o: Obj, p: string): ClientQuotaDef {
  const e = obj(o.entity, `${p}.entity`);
  const entity: Record<string, string | null> = {};
  for (const k of Object.keys(e)) entity[k] = e[k] === null ? null : str(e, k, `${p}.entity`);
  const v = obj(o.values, `${p}.values`);
  const values: Record<string, number> = {};
  for (const k of Object.keys(v)) {
    if (typeof v[k] !== 'number' || !Number.isFinite(v[k])) throw new ShapeError(`${p}.values.${k}`, 'not a number');
    values[k] = v[k] as number;
  }
  return { entity, values };
}

function decodeBody(body: Obj): CatalogueSnapshot {
  const brokerConfigs = body.brokerConfigs === undefined ? undefined : obj(body.brokerConfigs, 'brokerConfigs');
  return {
    ...(brokerConfigs === undefined ? {} : {
      brokerConfigs: {
        perBroker: stringRecord(brokerConfigs.perBroker, 'brokerConfigs.perBroker'),
        clusterDefault: stringRecord(brokerConfigs.clusterDefault, 'brokerConfigs.clusterDefault'),
      },
    }),
    ...(body.clientQuotas === undefined ? {} : { clientQuotas: list(body, 'clientQuotas', clientQuota) }),
    ...(body.accessKeys === undefined ? {} : {
      accessKeys: list(body, 'accessKeys', (o, p) => ({
        accessKeyId: str(o, 'accessKeyId', p),
        secretAccessKey: str(o, 'secretAccessKey', p),
        user: str(o, 'user', p),
        accountId: str(o, 'accountId', p),
        createdAtMs: int(o, 'createdAtMs', p),
      })),
    }),
    ...(body.groupConfigs === undefined ? {} : {
      groupConfigs: list(body, 'groupConfigs', (o, p) => ({ vhost: str(o, 'vhost', p), group: str(o, 'group', p), configs: stringRecord(o.configs, `${p}.configs`) })),
    }),
    vhosts: list(body, 'vhosts', (o, p) => ({ name: str(o, 'name', p), description: str(o, 'description', p), tags: strings(o, 'tags', p) })),
    exchanges: list(body, 'exchanges', (o, p) => ({
      vhost: str(o, 'vhost', p),
      name: str(o, 'name', p),
      type: str(o, 'type', p),
      durable: bool(o, 'durable', p),
      autoDelete: bool(o, 'autoDelete', p),
      internal: bool(o, 'internal', p),
      alternateExchange: o.alternateExchange === null ? null : str(o, 'alternateExchange', p),
      arguments: decodeArguments(o.arguments, `${p}.arguments`),
    })),
    queues: list(body, 'queues', (o, p) => ({
      vhost: str(o, 'vhost', p),
      name: str(o, 'name', p),
      id: str(o, 'id', p),
      durable: bool(o, 'durable', p),
      autoDelete: bool(o, 'autoDelete', p),
      arguments: decodeArguments(o.arguments, `${p}.arguments`),
      ...(o.declaredArguments === undefined ? {} : { declaredArguments: decodeArguments(o.declaredArguments, `${p}.declaredArguments`) }),
    })),
    topics: list(body, 'topics', (o, p) => ({
      vhost: str(o, 'vhost', p),
      name: str(o, 'name', p),
      id: str(o, 'id', p),
      partitions: int(o, 'partitions', p),
      config: stringRecord(o.config, `${p}.config`),
    })),
    bindings: list(body, 'bindings', (o, p) => ({
      vhost: str(o, 'vhost', p),
      source: str(o, 'source', p),
      destination: destination(o.destination, `${p}.destination`),
      routingKey: str(o, 'routingKey', p),
      arguments: decodeArguments(o.arguments, `${p}.arguments`),
    })),
    policies: list(body, 'policies', (o, p) => {
      const applyTo = str(o, 'applyTo', p);
      if (!(policyApplyTos as readonly string[]).includes(applyTo)) throw new ShapeError(`${p}.applyTo`, 'unknown value');
      return {
        vhost: str(o, 'vhost', p),
        name: str(o, 'name', p),
        pattern: str(o, 'pattern', p),
        applyTo: applyTo as PolicyApplyTo,
        definition: obj(o.definition, `${p}.definition`) as Record<string, JsonValue>,
        priority: int(o, 'priority', p),
      };
    }),
    users: list(body, 'users', (o, p) => {
      const scram = scramCredentials(o.scram, `${p}.scram`);
      return {
        name: str(o, 'name', p),
        password: passwordHash(o.password, `${p}.password`),
        tags: strings(o, 'tags', p),
        loopbackOnly: bool(o, 'loopbackOnly', p),
        ...(scram === undefined ? {} : { scram }),
      };
    }),
    permissions: list(body, 'permissions', (o, p) => ({
      user: str(o, 'user', p),
      vhost: str(o, 'vhost', p),
      configure: str(o, 'configure', p),
      write: str(o, 'write', p),
      read: str(o, 'read', p),
    })),
  };
}

/** Parses and checks a catalogue file; throws an Error saying what is wrong. */
export function decodeCatalogue(data: Buffer): { snapshot: CatalogueSnapshot; generation: number } {
  const nl = data.indexOf(0x0a);
  if (nl < 0) throw new Error('no header line (file truncated?)');
  let header: Obj;
  try {
    header = obj(JSON.parse(data.subarray(0, nl).toString('utf8')), 'header');
  } catch (e) {
    throw new Error(`unreadable header: ${(e as Error).message}`);
  }
  if (header.format !== catalogueFormat) throw new Error(`not a Hopper catalogue (format ${JSON.stringify(header.format)})`);
  if (header.version !== catalogueVersion) {
    throw new Error(`catalogue format version ${JSON.stringify(header.version)} is not supported (this build reads version ${catalogueVersion})`);
  }
  const generation = int(header, 'generation', 'header');
  const body = data.subarray(nl + 1);
  if (body.length !== header.bodyBytes) throw new Error(`body is ${body.length} bytes, header says ${String(header.bodyBytes)} (file truncated?)`);
  if (sha256(body) !== header.bodySha256) throw new Error('body checksum mismatch (file damaged)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new Error(`unreadable body: ${(e as Error).message}`);
  }
  return { snapshot: decodeBody(obj(parsed, 'body')), generation };
}
