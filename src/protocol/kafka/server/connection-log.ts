/**
 * What the operator log says about a Kafka connection. Kafka has no "open" handshake: the
 * connection is logged at its first request, whose header names the client (client.id), and
 * when that request is ApiVersions v3+ (KIP-511) also the client software's name and version.
 * A failed SaslAuthenticate is logged with the user it tried: from the PLAIN message, or from
 * SCRAM's client-first message (n=<user>), remembered for the final round trip.
 */
import type { LogFields } from '../../../server/logger.js';

const MAX_TEXT = 200;

/** Client-supplied text for a log field: empty is absent, long is cut. */
export function clip(s: string | null | undefined): string | undefined {
  if (s === null || s === undefined || s === '') return undefined;
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s;
}

/** The user a SaslAuthenticate message names, if it names one. */
export function saslUser(mechanism: string | null, authBytes: Buffer): string | undefined {
  const text = authBytes.toString('utf8');
  if (mechanism === 'PLAIN') {
    const parts = text.split('\u0000');
    return parts.length === 3 ? clip(parts[1]) : undefined;
  }
  // SCRAM client-first: gs2-header "n,," (or "y,,", "n,a=...,") then "n=<user>,r=<nonce>"; the
  // user escapes ',' and '=' as =2C and =3D (RFC 5802).
  const m = /^[nyp][^,]*,[^,]*,n=([^,]*),r=/.exec(text);
  return m ? clip(m[1]!.replace(/=2C/g, ',').replace(/=3D/g, '=')) : undefined;
}

export interface KafkaClientInfo {
  clientId?: string | undefined;
  clientName?: string | undefined;
  clientVersion?: string | undefined;
}

export function kafkaFields(id: number, client: string, user: string | undefined, info: KafkaClientInfo): LogFields {
  return { protocol: 'kafka', connection: `kafka-${id}`, client, user, clientId: info.clientId, clientName: info.clientName, clientVersion: info.clientVersion };
}
