/**
 * The catalogue's in-memory content and its integrity rules, without any I/O: everything in a
 * vhost belongs to an existing vhost, bindings join stored (durable) ends, permissions join an
 * existing user and vhost. Deleting an object deletes what depends on it.
 */
import type { AccessKeyRecord, PermissionRecord, UserRecord } from '../auth/types.js';
import type { Destination } from '../exchange/destination.js';
import { encodeArguments } from './typed-json.js';
import type { CatalogueSnapshot } from './codec.js';
import type { BindingDef, BrokerConfigsDef, ClientQuotaDef, ExchangeDef, GroupConfigsDef, PolicyDef, QueueDef, TopicDef, VhostDef } from './types.js';

export class VhostEntry {
  readonly exchanges = new Map<string, ExchangeDef>();
  readonly queues = new Map<string, QueueDef>();
  readonly topics = new Map<string, TopicDef>();
  readonly bindings = new Map<string, BindingDef>();
  readonly policies = new Map<string, PolicyDef>();
  constructor(public def: VhostDef) {}

  has(d: Destination): boolean {
    const m = d.kind === 'queue' ? this.queues : d.kind === 'topic' ? this.topics : this.exchanges;
    return m.has(d.name);
  }

  /** Removes bindings from or to the given object; true if any went. */
  dropBindingsOf(match: (b: BindingDef) => boolean): boolean {
    let changed = false;
    for (const [k, b] of this.bindings) {
      if (match(b)) {
        this.bindings.delete(k);
        changed = true;
      }
    }
    return changed;
  }
}

/** Binding identity: source, destination, key and the (sorted) argument table. */
export function bindingKey(b: Omit<BindingDef, 'vhost'>): string {
  return JSON.stringify([b.source, b.destination.kind, b.destination.name, b.routingKey, encodeArguments(b.arguments)]);
}

/** User and vhost names cannot hold NUL (names.ts refuses control characters), so this is unique. */
export function permissionKey(user: string, vhost: string): string {
  return `${user}\u0000${vhost}`;
}

/** Client quota entity identity: its (type, name) pairs in type order; a null name is the default entity. */
export function clientQuotaKey(entity: Readonly<Record<string, string | null>>): string {
  return JSON.stringify(Object.keys(entity).sort().map((t) => [t, entity[t]]));
}

export function groupConfigsKey(vhost: string, group: string): string {
  return JSON.stringify([vhost, group]);
}

export class CatalogueState {
  readonly vhosts = new Map<string, VhostEntry>();
  readonly users = new Map<string, UserRecord>();
  readonly permissions = new Map<string, PermissionRecord>();
  /** By access key id. */
  readonly accessKeys = new Map<string, AccessKeyRecord>();
  brokerConfigs: BrokerConfigsDef = { perBroker: {}, clusterDefault: {} };
  /** By clientQuotaKey(entity), in the order entities were first given a quota. */
  readonly clientQuotas = new Map<string, ClientQuotaDef>();
  /** By groupConfigsKey(vhost, group). */
  readonly groupConfigs = new Map<string, GroupConfigsDef>();

  snapshot(): CatalogueSnapshot {
    const s: CatalogueSnapshot = {
      vhosts: [], exchanges: [], queues: [], topics: [], bindings: [], policies: [], users: [...this.users.values()], permissions: [...this.permissions.values()], accessKeys: [...this.accessKeys.values()],
      brokerConfigs: this.brokerConfigs, clientQuotas: [...this.clientQuotas.values()], groupConfigs: [...this.groupConfigs.values()],
    };
    for (const v of this.vhosts.values()) {
      s.vhosts.push(v.def);
      s.exchanges.push(...v.exchanges.values());
      s.queues.push(...v.queues.values());
      s.topics.push(...v.topics.values());
      s.bindings.push(...v.bindings.values());
      s.policies.push(...v.policies.values());
    }
    return s;
  }

  /** Rebuilds the state from a decoded file; throws if the file breaks an integrity rule. */
  static fromSnapshot(s: CatalogueSnapshot): CatalogueState {
    const st = new CatalogueState();
    const vhostOf = (name: string, what: string): VhostEntry => {
      const v = st.vhosts.get(name);
      if (v === undefined) throw new Error(`${what} refers to unknown vhost ${JSON.stringify(name)}`);
      return v;
    };
    const unique = <T>(m: Map<string, T>, k: string, v: T, what: string) => {
      if (m.has(k)) throw new Error(`duplicate ${what}`);
      m.set(k, v);
    };
    for (const v of s.vhosts) unique(st.vhosts, v.name, new VhostEntry(v), `vhost ${JSON.stringify(v.name)}`);
    for (const x of s.exchanges) unique(vhostOf(x.vhost, `exchange ${JSON.stringify(x.name)}`).exchanges, x.name, x, `exchange ${JSON.stringify(x.name)}`);
    for (const q of s.queues) unique(vhostOf(q.vhost, `queue ${JSON.stringify(q.name)}`).queues, q.name, q, `queue ${JSON.stringify(q.name)}`);
    for (const t of s.topics) unique(vhostOf(t.vhost, `topic ${JSON.stringify(t.name)}`).topics, t.name, t, `topic ${JSON.stringify(t.name)}`);
    for (const p of s.policies) unique(vhostOf(p.vhost, `policy ${JSON.stringify(p.name)}`).policies, p.name, p, `policy ${JSON.stringify(p.name)}`);
    for (const b of s.bindings) {
      const v = vhostOf(b.vhost, 'a binding');
      if (!v.exchanges.has(b.source) || !v.has(b.destination)) {
        throw new Error(`binding from ${JSON.stringify(b.source)} to ${b.destination.kind} ${JSON.stringify(b.destination.name)} refers to an unknown object`);
      }
      unique(v.bindings, bindingKey(b), b, 'binding');
    }
    for (const u of s.users) unique(st.users, u.name, u, `user ${JSON.stringify(u.name)}`);
    for (const p of s.permissions) {
      if (!st.users.has(p.user)) throw new Error(`permission for unknown user ${JSON.stringify(p.user)}`);
      vhostOf(p.vhost, `permission for user ${JSON.stringify(p.user)}`);
      unique(st.permissions, permissionKey(p.user, p.vhost), p, 'permission');
    }
    for (const k of s.accessKeys ?? []) {
      if (!st.users.has(k.user)) throw new Error(`access key ${JSON.stringify(k.accessKeyId)} for unknown user ${JSON.stringify(k.user)}`);
      unique(st.accessKeys, k.accessKeyId, k, `access key ${JSON.stringify(k.accessKeyId)}`);
    }
    if (s.brokerConfigs) st.brokerConfigs = s.brokerConfigs;
    for (const q of s.clientQuotas ?? []) unique(st.clientQuotas, clientQuotaKey(q.entity), q, 'client quota entity');
    for (const g of s.groupConfigs ?? []) {
      vhostOf(g.vhost, `configs of group ${JSON.stringify(g.group)}`);
      unique(st.groupConfigs, groupConfigsKey(g.vhost, g.group), g, 'group configs');
    }
    return st;
  }
}
