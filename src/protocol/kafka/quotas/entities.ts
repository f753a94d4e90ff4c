/**
 * Client quota entities and keys as Kafka 3.9's controller checks them (AlterClientQuotas) and
 * filters them (DescribeClientQuotas). An entity names a user, a client id, or both, or an ip;
 * a null name is that type's default entity (`<default>` in Kafka's config paths).
 */
import { isIP } from 'node:net';
import { KafkaError } from '../codec/error-codes.js';

export type QuotaEntity = Readonly<Record<string, string | null>>;

export const USER = 'user';
export const CLIENT_ID = 'client-id';
export const IP = 'ip';

/** Quota keys with Kafka's types: LONG keys must be whole numbers. */
const userClientKeys: Readonly<Record<string, 'LONG' | 'DOUBLE'>> = {
  producer_byte_rate: 'LONG',
  consumer_byte_rate: 'LONG',
  request_percentage: 'DOUBLE',
  controller_mutation_rate: 'DOUBLE',
};
const ipKeys: Readonly<Record<string, 'LONG' | 'DOUBLE' | 'INT'>> = { connection_creation_rate: 'INT' };

/**
 * Kafka answers with its hash maps' iteration order, which clients' tests compare exactly:
 * entity types client-id before user, and values in this order.
 */
const typeOrder = [CLIENT_ID, USER, IP];
const keyOrder = ['connection_creation_rate', 'consumer_byte_rate', 'controller_mutation_rate', 'request_percentage', 'producer_byte_rate'];

export function entityInKafkaOrder(entity: QuotaEntity): { entityType: string; entityName: string | null }[] {
  return Object.keys(entity).sort((a, b) => typeOrder.indexOf(a) - typeOrder.indexOf(b)).map((t) => ({ entityType: t, entityName: entity[t]! }));
}

export function valuesInKafkaOrder(values: Readonly<Record<string, number>>): { key: string; value: number }[] {
  return Object.keys(values).sort((a, b) => keyOrder.indexOf(a) - keyOrder.indexOf(b)).map((key) => ({ key, value: values[key]! }));
}

export interface Refusal {
  errorCode: number;
  errorMessage: string;
}

const invalid = (errorMessage: string): Refusal => ({ errorCode: KafkaError.INVALID_REQUEST, errorMessage });

/** The entity as a map, or why Kafka refuses it. */
export function checkEntity(parts: readonly { entityType: string; entityName: string | null }[]): QuotaEntity | Refusal {
  if (parts.length === 0) return invalid('Invalid empty client quota entity');
  const entity: Record<string, string | null> = {};
  for (const { entityType, entityName } of parts) {
    if (entityType in entity) return invalid(`Invalid client quota entity, duplicate entity entry ${entityType}`);
    if (entityType !== USER && entityType !== CLIENT_ID && entityType !== IP) return invalid(`Unhandled client quota entity type: ${entityType}`);
    if (entityName === '') return invalid(`Empty ${entityType} not supported`);
    entity[entityType] = entityName;
  }
  if (IP in entity) {
    if (Object.keys(entity).length > 1) return invalid('Invalid quota entity combination, IP entity shouldnot be combined with User or ClientId');
    const ip = entity[IP];
    if (ip !== null && isIP(ip!) === 0) return invalid(`${ip} is not a valid IP or resolvable host.`);
  }
  return entity;
}

/** Null, or why Kafka refuses this key and value for this entity. */
export function checkQuota(entity: QuotaEntity, key: string, value: number): Refusal | null {
  const keys: Readonly<Record<string, string>> = IP in entity ? ipKeys : userClientKeys;
  const type = keys[key];
  if (type === undefined) return invalid(`Invalid configuration key ${key}`);
  if (!(value > 0)) return invalid(`Quota ${key} must be greater than 0`);
  if (type === 'INT' && value > 0x7fffffff) return invalid(`Proposed value for ${key} is too large for an INT.`);
  if (type === 'LONG' && value > 2 ** 63) return invalid(`Proposed value for ${key} is too large for a LONG.`);
  if (type !== 'DOUBLE' && Math.abs(value % 1) > 1e-6) return invalid(`${key} cannot be a fractional value.`);
  return null;
}

/** DescribeClientQuotas match types. */
const EXACT = 0;
const DEFAULT = 1;
const SPECIFIED = 2;

export interface Component {
  entityType: string;
  matchType: number;
  match: string | null;
}

/** Null, or why Kafka refuses this filter. */
export function checkFilter(components: readonly Component[]): Refusal | null {
  const seen = new Set<string>();
  for (const c of components) {
    if (seen.has(c.entityType)) return invalid(`Duplicate ${c.entityType} filter component entity type`);
    seen.add(c.entityType);
    if (c.entityType !== USER && c.entityType !== CLIENT_ID && c.entityType !== IP) return invalid(`Custom entity type '${c.entityType}' not supported`);
    if (c.matchType === EXACT && c.match === null) return invalid(`Request specified MATCH_TYPE_EXACT, but set match string to null`);
    if (c.matchType !== EXACT && c.matchType !== DEFAULT && c.matchType !== SPECIFIED) return invalid(`Unknown match type ${c.matchType}`);
  }
  if (seen.has(IP) && (seen.has(USER) || seen.has(CLIENT_ID))) return invalid('Invalid entity filter component combination, IP filter component should not be used with user or clientId filter component.');
  return null;
}

/** Whether an entity passes the filter: every component matches; strict also wants no other entity types. */
export function matches(entity: QuotaEntity, components: readonly Component[], strict: boolean): boolean {
  for (const c of components) {
    if (!(c.entityType in entity)) return false;
    const name = entity[c.entityType]!;
    if (c.matchType === EXACT && name !== c.match) return false;
    if (c.matchType === DEFAULT && name !== null) return false;
    if (c.matchType === SPECIFIED && name === null) return false;
  }
  return !strict || Object.keys(entity).length === components.length;
}
