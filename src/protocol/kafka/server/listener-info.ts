/**
 * What differs between the listeners of one broker, as in Kafka's `listeners`: the address, the
 * security protocol (whether SASL is required) and the address clients are told to use. Kafka
 * answers Metadata, FindCoordinator and DescribeCluster with the listener a request came in on,
 * so a client that connected through one port is never sent to another.
 */
import { LOOPBACK } from '../../../server/listen.js';
import type { KafkaEndpointOptions } from './options.js';

export interface AdvertisedNode {
  readonly nodeId: number;
  readonly host: string;
  /** Set once the listener is bound (an ephemeral port is known only then). */
  port: number;
}

export interface KafkaListenerInfo {
  /** The listener name in broker configs (PLAINTEXT, SASL_PLAINTEXT, or a numbered one). */
  readonly name: string;
  readonly securityProtocol: 'PLAINTEXT' | 'SASL_PLAINTEXT';
  /** Refuse every request but ApiVersions and SASL until the client has authenticated. */
  readonly saslRequired: boolean;
  /** Address it binds to. */
  readonly host: string;
  /** Whether the advertised host was set rather than derived from host. */
  readonly advertisedHostSet: boolean;
  /** This broker as clients connected through this listener are told of it. */
  readonly node: AdvertisedNode;
}

/** The main listener first, then the extra ones, in the order configured. */
export function listenerInfos(options: KafkaEndpointOptions): KafkaListenerInfo[] {
  const all = [
    { host: options.host, port: options.port, advertisedHost: options.advertisedHost, saslRequired: options.saslRequired, name: undefined as string | undefined },
    ...options.extraListeners.map((l) => ({ ...l, host: l.host ?? options.host })),
  ];
  const names = new Set<string>();
  return all.map((l) => {
    const securityProtocol = l.saslRequired ? 'SASL_PLAINTEXT' : 'PLAINTEXT';
    let name = l.name ?? securityProtocol;
    if (l.name === undefined) for (let n = 2; names.has(name); n++) name = `${securityProtocol}_${n}`;
    if (names.has(name)) throw new Error(`kafka listener name ${name} is used twice`);
    names.add(name);
    const host = l.advertisedHost ?? (l.host === '0.0.0.0' || l.host === '::' || l.host === LOOPBACK ? '127.0.0.1' : l.host);
    return {
      name, securityProtocol, saslRequired: l.saslRequired, host: l.host, advertisedHostSet: l.advertisedHost !== undefined,
      node: { nodeId: options.nodeId, host, port: l.port },
    };
  });
}
